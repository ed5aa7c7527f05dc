"""Her copy holds every section of her record, nothing of another woman, and speaks her
language."""

from __future__ import annotations

import json
import re
import zlib

import pytest
from django.utils import translation

from doorway.enrolments.models import Enrolment
from doorway.people.models import Language, Participant
from doorway.subject_access import actions, gather, render
from doorway.subject_access.tests.conftest import Seeded

pytestmark = pytest.mark.django_db


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects, its compressed streams opened (WeasyPrint packs the document
    catalogue, which carries the language, into one)."""
    opened = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            opened.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(opened)


def copy_of(seeded: Seeded, language: str = "en") -> dict:
    rosa = seeded.world.rosa
    with translation.override(language):
        return gather.gather(rosa, enrolments=gather.enrolments_of(rosa), complete=True)


def test_every_section_of_her_record_is_in_her_copy(seeded: Seeded) -> None:
    copy = copy_of(seeded)
    me = copy["identity"]
    assert me["code"] == seeded.world.rosa.code
    assert me["preferred_name"] == "Rosa"
    assert me["legal_name"] == "Rosa Example"
    [enrolment] = copy["enrolments"]
    assert enrolment["program"]["program"] == "Exit Doors Here"
    assert enrolment["case_manager"]["name"] == str(seeded.world.alice)
    assert enrolment["case_manager"]["role"] == "Case manager"
    assert enrolment["journey"], "her journey through the phases"
    plan = enrolment["plan"]
    assert plan["her_words"] == "A flat of my own near my sister"
    assert plan["worker_notes"] == "She is wary of shelters"
    [goal] = plan["goals"]
    assert goal["her_words"] == "Find a safe place"
    assert goal["steps"][0]["what"] == "Visit the co-op on Queen St"
    [contact] = enrolment["contacts"]
    assert contact["note"] == "Talked about the co-op; she feels hopeful"
    assert contact["minutes"] == 45
    [assessment] = enrolment["assessments"]
    assert assessment["timepoint"] == "Intake"
    assert any(a["answer"] for a in assessment["answers"])
    [referral] = enrolment["referrals"]
    assert referral["partner"] == "Safe Harbour Housing"
    assert referral["shares_her_information"] is True
    assert [u["note"] for u in referral["updates"]][-1] == "Intake set"
    [attended] = enrolment["attendance"]
    assert attended["kind"] == "Weekly drop-in"
    sharing = [c for c in copy["consents"] if c["shared_with"]]
    assert sharing[0]["shared_with"] == "Safe Harbour Housing"
    assert sorted(sharing[0]["what_may_be_shared"]) == [
        "Contact details: her name, phone and e-mail",
        "Service plan and goals",
    ]
    assert sharing[0]["ends_on"] is not None
    [flag] = copy["safety_flags"]
    assert flag["note"] == "Her ex asked at the desk"
    disclosed = [d for d in copy["disclosure_log"] if d["to"] == "Safe Harbour Housing"]
    assert disclosed
    assert disclosed[0]["channel"] == "Referral"
    [asked] = copy["copy_requests"]
    assert asked["answer_due_by"] is not None
    assert asked["answered_on"] is None
    assert {w["what"] for w in copy["withheld"]} >= {"other_people", "supervision", "audit_log"}
    assert copy["contact"][0]["program"] == "Exit Doors Here"


def test_nothing_of_another_woman_is_in_her_copy_not_even_from_a_drop_in_they_shared(
    seeded: Seeded,
) -> None:
    text = render.as_json(copy_of(seeded)).decode()
    html = render.as_html(copy_of(seeded))
    tess = seeded.world.tess
    for found in (text, html):
        assert "Tess" not in found
        assert tess.code not in found
        assert str(tess.pk) not in found
        assert "Uma" not in found


def test_the_command_copy_says_nothing_is_out_of_reach_and_the_page_copy_does(
    seeded: Seeded,
) -> None:
    rosa = seeded.world.rosa
    complete = gather.gather(rosa, enrolments=gather.enrolments_of(rosa), complete=True)
    reached = gather.gather(rosa, enrolments=gather.enrolments_of(rosa), complete=False)
    assert "out_of_reach" not in {w["what"] for w in complete["withheld"]}
    assert "out_of_reach" in {w["what"] for w in reached["withheld"]}


def test_a_french_speaking_woman_gets_her_copy_in_french(seeded: Seeded) -> None:
    rosa = seeded.world.rosa
    Participant.objects.filter(pk=rosa.pk).update(preferred_language=Language.FRENCH)
    rosa.refresh_from_db()
    made = actions.make_copy(
        rosa,
        format=render.Format.JSON,
        enrolments=gather.enrolments_of(rosa),
        complete=True,
        by=seeded.world.alice,
    )
    copy = json.loads(made.content)
    assert made.language == Language.FRENCH
    assert copy["language"] == Language.FRENCH
    assert copy["sections"]["consents"] == "Vos consentements"
    assert copy["enrolments"][0]["case_manager"]["role"] == "Gestionnaire de cas"
    # Her words stay as she said them.
    assert copy["enrolments"][0]["plan"]["her_words"] == "A flat of my own near my sister"
    html = render.as_html(copy)
    assert '<html lang="fr-ca">' in html
    assert "Votre dossier" in html


def test_her_copy_as_pdf_is_a_pdf_in_her_language(seeded: Seeded) -> None:
    rosa = seeded.world.rosa
    made = actions.make_copy(
        rosa,
        format=render.Format.PDF,
        enrolments=gather.enrolments_of(rosa),
        complete=True,
        by=seeded.world.alice,
    )
    assert made.content.startswith(b"%PDF")
    assert made.content_type == "application/pdf"
    assert b"/Lang (en-ca)" in pdf_objects(made.content)
    assert made.filename == f"{rosa.code}-copy-{made.filename.split('-copy-')[1]}"
    assert "Rosa" not in made.filename


def test_her_copy_reads_in_a_fixed_number_of_queries(
    seeded: Seeded, django_assert_max_num_queries
) -> None:
    rosa = seeded.world.rosa
    enrolments = gather.enrolments_of(rosa, Enrolment.objects.all())
    with django_assert_max_num_queries(40):
        gather.gather(rosa, enrolments=enrolments, complete=True)

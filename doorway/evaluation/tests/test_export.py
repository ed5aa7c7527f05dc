"""The research export: evaluators only, consenting women only, de-identified, checked
for small cells, and audited."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.evaluation.cohort import Cohort
from doorway.evaluation.export import anonymise, build_export, months_band, months_between
from doorway.evaluation.models import ResearchExportRecord
from doorway.instruments.demo import record_journey
from doorway.people.actions import withdraw_consent
from doorway.people.models import ConsentKind
from doorway.testing.factories import (
    ConsentFactory,
    CycleFactory,
    EnrolmentFactory,
    ParticipantFactory,
)
from doorway.testing.signin import signed_in

# These small worlds hold a handful of women: the minimum cycle size is tested in
# test_export_anonymity and test_disclosure_pages.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("any_cohort_size")]


def consenting(world, n, cycle=None, phone="416-555-01{:02d}"):
    """`n` more women in Alice's caseload who consented to the evaluation research."""
    enrolments = []
    for i in range(n):
        person = ParticipantFactory(
            preferred_name=f"Name{i}",
            legal_name=f"Legal{i} Surname",
            phone=phone.format(i),
            agency=world.agency,
            registered_by=world.alice,
        )
        ConsentFactory(participant=person, recorded_by=world.alice)
        ConsentFactory(participant=person, kind=ConsentKind.EVALUATION, recorded_by=world.alice)
        enrolments.append(
            EnrolmentFactory(
                participant=person,
                cycle=cycle or world.rosa_enrolment.cycle,
                case_manager=world.alice,
            )
        )
    return enrolments


def export_url(world):
    return reverse("research_export", args=[world.program.slug])


def take(client, world, reason="Annual outcome analysis for the funder", query=""):
    return client.post(export_url(world) + query, {"reason": reason})


def unzip(response):
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["data-dictionary.md", "research-export.csv"]
    text = archive.read("research-export.csv").decode()
    return list(csv.DictReader(io.StringIO(text))), archive.read("data-dictionary.md").decode()


def test_the_evaluator_takes_a_de_identified_export_of_consenting_women(client, world) -> None:
    women = consenting(world, 6)
    record_journey(women[0], {"accommodation": 2, "money": 3}, on=women[0].referred_on)
    record_journey(
        women[0], {"accommodation": 6}, on=timezone.localdate(), timepoint="phase_change"
    )
    signed_in(client, world.eve)
    response = take(client, world)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    rows, dictionary = unzip(response)
    # Rosa, Tess and Uma never consented to the research: six rows, not nine.
    assert len(rows) == 6
    everything = response.content.decode("latin-1") + "".join(str(r) for r in rows) + dictionary
    for e in [*women, world.rosa_enrolment]:
        p = e.participant
        for text in (p.code, p.preferred_name, p.legal_name, p.phone, str(p.pk), str(e.pk)):
            if text:
                assert text not in everything
    assert {r["pseudonym"][:2] for r in rows} == {"P-"}
    rated = [r for r in rows if r["accommodation_baseline"]]
    assert len(rated) == 1
    assert rated[0]["accommodation_baseline"] == "2"
    assert rated[0]["accommodation_latest"] == "6"
    expected = months_between(women[0].referred_on, timezone.localdate())
    assert rated[0]["accommodation_latest_month"] == months_band(expected)
    assert rated[0]["money_latest"] == ""
    # No dates anywhere: each would look like 2026-01-31.
    assert not any("-" in v and v[:4].isdigit() for r in rows for v in r.values())
    assert "| pseudonym |" in dictionary
    assert "Disclosure check" in dictionary


def test_each_export_gives_new_pseudonyms(client, world) -> None:
    consenting(world, 5)
    signed_in(client, world.eve)
    first = {r["pseudonym"] for r in unzip(take(client, world))[0]}
    second = {r["pseudonym"] for r in unzip(take(client, world))[0]}
    assert len(first) == 5
    assert not first & second


def test_each_export_is_audited_with_who_why_and_what(client, world) -> None:
    consenting(world, 5)
    signed_in(client, world.eve)
    take(client, world, reason="Checking the cost model")
    entry = AuditEntry.objects.filter(action="export").get()
    assert entry.actor_username == "eve"
    assert entry.detail["rows"] == 5
    kept = ResearchExportRecord.objects.get(pk=entry.detail["record"])
    assert (kept.reason, kept.taken_by, kept.rows) == ("Checking the cost model", world.eve, 5)
    assert "pseudonym" in entry.detail["columns"]
    assert entry.detail["export"] == "research"


def test_an_export_needs_a_reason(client, world) -> None:
    consenting(world, 5)
    signed_in(client, world.eve)
    response = take(client, world, reason="  ")
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action="export").exists()


def test_too_few_women_and_the_export_is_refused(client, world) -> None:
    consenting(world, 4)
    signed_in(client, world.eve)
    response = take(client, world)
    assert response.status_code == 400
    assert "Fewer than 5 women" in response.content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()


def test_withdrawing_evaluation_consent_removes_her_from_the_next_export(client, world) -> None:
    women = consenting(world, 6)
    signed_in(client, world.eve)
    assert len(unzip(take(client, world))[0]) == 6
    consent = women[0].participant.consents.get(kind=ConsentKind.EVALUATION)
    withdraw_consent(consent, on=timezone.localdate(), by=world.alice)
    assert len(unzip(take(client, world))[0]) == 5


def test_a_column_that_would_single_women_out_is_generalised_and_the_dictionary_says_so(
    world,
) -> None:
    small_cycle = CycleFactory(program=world.program, name="Cycle 2")
    consenting(world, 6)
    consenting(world, 2, cycle=small_cycle)
    export = build_export(Cohort(program=world.program))
    # Two women of Cycle 2 would stand out by their cycle: it is left out for everyone.
    assert [r["cycle"] for r in export.rows] == ["all"] * 8
    assert export.suppressed == {"rows": 0}
    assert "cycle left out (all)" in export.dictionary()
    assert "No row needed to be withheld." in export.dictionary()


def test_a_group_whose_answers_are_all_the_same_is_withheld() -> None:
    """Five look-alike rows that all say "always" at intake would tell it of each."""
    same = {
        "cycle": "Cycle 1",
        "referral_source": "host",
        "phase_reached": 3,
        "exit_reason": "graduated",
        "months_enrolled": 9,
        "involvement_intake": "always",
        "involvement_graduation": "",
        "involvement_follow_up": "",
    }
    rows = [dict(same) for _ in range(6)]
    kept, _generalised, withheld = anonymise(rows)
    assert (kept, withheld) == ([], 6)
    mixed = [*rows, {**same, "involvement_intake": "often"}]
    kept, _generalised, withheld = anonymise(mixed)
    assert (len(kept), withheld) == (7, 0)


@pytest.mark.parametrize("who", ["alice", "pat", "morgan", "ada"])
def test_only_an_evaluator_may_take_the_export(client, world, who) -> None:
    consenting(world, 5)
    signed_in(client, world.staff()[who])
    assert client.get(export_url(world)).status_code == 403
    assert take(client, world).status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


def test_an_evaluator_of_another_program_gets_404(client, world) -> None:
    from doorway.people.roles import Role
    from doorway.testing.factories import UserFactory

    outsider = UserFactory(
        username="otto",
        role=Role.EVALUATOR,
        agency=world.other_agency,
        programs=[world.other_program],
    )
    consenting(world, 5)
    signed_in(client, outsider)
    assert take(client, world).status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_export_follows_the_cohort_filter(client, world) -> None:
    later = CycleFactory(
        program=world.program,
        name="Cycle 2",
        starts_on=datetime.date(2030, 1, 1),
        ends_on=datetime.date(2030, 12, 31),
    )
    consenting(world, 5)
    consenting(world, 6, cycle=later)
    signed_in(client, world.eve)
    response = take(client, world, query=f"?cycles={later.pk}")
    assert len(unzip(response)[0]) == 6


@pytest.mark.parametrize(
    ("start", "day", "months"),
    [
        (datetime.date(2024, 1, 31), datetime.date(2024, 1, 31), 0),
        (datetime.date(2024, 1, 31), datetime.date(2024, 2, 29), 0),
        (datetime.date(2024, 1, 31), datetime.date(2024, 3, 1), 1),
        (datetime.date(2024, 1, 15), datetime.date(2025, 1, 15), 12),
        (datetime.date(2024, 1, 15), None, ""),
    ],
)
def test_dates_become_whole_months_since_referral(start, day, months) -> None:
    assert months_between(start, day) == months


def test_the_export_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries) -> None:
    """Her pairs are read from the outcome tables' rows in one query, whatever the
    number of women or of their ratings: never one query per woman."""
    cohort = Cohort(program=world.program)

    def rated(n, phone):
        for e in consenting(world, n, phone=phone):
            for ago, timepoint in ((20, "intake"), (10, "phase_change"), (5, "follow_up")):
                record_journey(
                    e,
                    {"accommodation": 3, "money": 4},
                    on=timezone.localdate() - datetime.timedelta(days=ago),
                    timepoint=timepoint,
                )

    rated(5, "416-555-02{:02d}")
    with CaptureQueriesContext(connection) as few:
        build_export(cohort)
    rated(15, "416-555-03{:02d}")
    with django_assert_max_num_queries(len(few)):
        assert len(build_export(cohort).rows) == 20

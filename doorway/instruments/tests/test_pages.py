"""The assessment pages: fill one in, read it back, record the computed eligibility, and
the enrolment page's section."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from doorway.audit.models import AuditEntry
from doorway.enrolments.models import Eligibility
from doorway.instruments import exit_doors_here
from doorway.instruments.models import Administration, Answer
from doorway.instruments.tests.helpers import intake, record_intake
from doorway.instruments.tests.matrix import intake_payload
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def record_url(world):
    return reverse("assessment_record", args=[world.rosa_enrolment.pk, intake(world).pk])


def test_the_form_shows_sections_and_the_words_of_each_scale_step(client, world) -> None:
    from doorway.instruments.exit_doors_here import JOURNEY, JOURNEY_STEPS
    from doorway.instruments.models import Instrument

    intake(world)
    journey = Instrument.objects.get(program=world.program, slug=JOURNEY)
    signed_in(client, world.alice)
    page = client.get(reverse("assessment_record", args=[world.rosa_enrolment.pk, journey.pk]))
    html = page.content.decode()
    assert "<fieldset" in html
    assert "Her journey, area by area" in html
    assert escape(JOURNEY_STEPS[0]) in html
    assert escape(JOURNEY_STEPS[9]) in html


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, world) -> None:
    signed_in(client, world.alice)
    payload = intake_payload(world, {})
    del payload["item_readiness_stage"]
    payload["item_presenting_issues"] = ["other"]  # shows "what else", left blank: fine
    payload["item_age"] = "200"
    response = client.post(record_url(world), payload)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"item_readiness_stage", "item_age"}
    html = response.content.decode()
    assert 'value="200"' in html
    assert form["item_risk_factors"].value() == ["housing", "abuser"]
    assert html.count("checked") >= 5
    assert not Administration.objects.exists()


def test_a_recorded_assessment_shows_its_eligibility_with_reasons(client, world) -> None:
    signed_in(client, world.alice)
    response = client.post(record_url(world), intake_payload(world, {}))
    administration = Administration.objects.get()
    assert response["Location"] == reverse(
        "assessment_detail", args=[world.rosa_enrolment.pk, administration.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "Eligible for Exit Doors Here" in page
    assert "At least two of the seven risk factors" in page
    assert "Record as her eligibility decision: eligible" in page
    assert AuditEntry.objects.filter(
        action="view", object_id=str(administration.pk), detail__answers=True
    ).exists()


def test_the_computed_eligibility_becomes_her_decision_with_its_reasons(client, world) -> None:
    administration = record_intake(world, risk_factors=["housing"])
    signed_in(client, world.morgan)
    client.post(
        reverse("assessment_decide_eligibility", args=[world.rosa_enrolment.pk, administration.pk])
    )
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.eligibility == Eligibility.NOT_ELIGIBLE
    assert "At least two of the seven risk factors: NOT met" in (
        world.rosa_enrolment.eligibility_reason
    )


def test_a_refusal_by_the_phase_machine_is_shown_and_changes_nothing(client, world) -> None:
    administration = record_intake(world)
    world.rosa_enrolment.exit("withdrew", by=world.alice, reason="Moved away")
    signed_in(client, world.alice)
    url = reverse(
        "assessment_decide_eligibility", args=[world.rosa_enrolment.pk, administration.pk]
    )
    response = client.post(url, follow=True)
    assert "Reopen the enrolment" in response.content.decode()
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.eligibility == Eligibility.PENDING


def test_a_free_text_answer_is_encrypted_at_rest(world) -> None:
    from django.db import connection

    administration = record_intake(
        world, presenting_issues=["other"], presenting_other="Her landlord"
    )
    answer = Answer.objects.get(administration=administration, item__code="presenting_other")
    assert answer.text == "Her landlord"
    with connection.cursor() as cursor:
        cursor.execute("select text from instruments_answer where id = %s", [answer.pk])
        assert "landlord" not in cursor.fetchone()[0]


def test_the_peer_mentor_sees_no_assessments_section(client, world) -> None:
    record_intake(world)
    signed_in(client, world.pat)
    page = client.get(reverse("enrolment_detail", args=[world.rosa_enrolment.pk]))
    assert page.status_code == 200
    assert "assessment-list" not in page.content.decode()


def test_the_section_lists_her_assessments_in_a_fixed_number_of_queries(client, world) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in(client, world.alice)
    url = reverse("enrolment_detail", args=[world.rosa_enrolment.pk])

    def queries_at(rows: int) -> int:
        while Administration.objects.count() < rows:
            record_intake(world)
        client.get(url)  # warm what is not about rows
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        shown = page.content.decode().count('class="border-bottom py-2 administration"')
        assert shown == rows
        return len(queries)

    assert queries_at(2) == queries_at(20)


def test_the_chooser_offers_intake_first_then_not_again(client, world) -> None:
    """Her second journey scale opens on "Phase change", not on another intake."""
    from doorway.instruments.exit_doors_here import JOURNEY
    from doorway.instruments.models import Instrument, Timepoint

    intake(world)
    journey = Instrument.objects.get(program=world.program, slug=JOURNEY)
    assert journey.next_timepoint() == Timepoint.INTAKE
    assert journey.next_timepoint({"intake"}) == Timepoint.PHASE_CHANGE
    assert journey.next_timepoint({"intake", "phase_change"}) == Timepoint.PHASE_CHANGE
    signed_in(client, world.alice)
    url = reverse("assessment_choose", args=[world.rosa_enrolment.pk])

    def offered() -> dict[str, str]:
        page = client.get(url)
        return {i.slug: i.offered_timepoint for i in page.context["instruments"]}

    assert offered()[exit_doors_here.INTAKE] == Timepoint.INTAKE
    record_intake(world)
    assert offered()[exit_doors_here.INTAKE] == Timepoint.AD_HOC
    assert offered()[JOURNEY] == Timepoint.INTAKE

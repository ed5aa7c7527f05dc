"""Assessments in the API: definitions read-only, administrations reached through her
enrolment, recorded with the page's own checks, every read audited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.instruments import exit_doors_here
from doorway.instruments.models import Administration, Instrument
from doorway.instruments.tests.helpers import eligibility, eligible_answers, intake, record_intake
from doorway.people.models import BreakGlass
from doorway.testing.factories import EnrolmentFactory, ParticipantFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

ADMINISTRATIONS = "/api/v1/administrations/"


def api(user: Any) -> APIClient:
    client = APIClient()
    signed_in(client, user)
    return client


def one(pk: Any) -> str:
    return f"{ADMINISTRATIONS}{pk}/"


def payload(world: World, **answers: Any) -> dict[str, Any]:
    return {
        "enrolment": str(world.rosa_enrolment.pk),
        "instrument": str(intake(world).pk),
        "timepoint": "intake",
        "completed_on": timezone.localdate().isoformat(),
        "answers": eligible_answers(**answers),
    }


def journey(world: World) -> Instrument:
    intake(world)
    return Instrument.objects.get(program=world.program, slug=exit_doors_here.JOURNEY)


def first_area(world: World) -> str:
    """The code of the journey scale's first item (a focus area's slug)."""
    version = journey(world).current_version()
    assert version is not None
    return version.items.order_by("order").values_list("code", flat=True)[0]


def open_glass(world: World) -> None:
    BreakGlass.objects.create(
        user=world.ada,
        participant=world.rosa,
        reason="She asked for a copy of her record at the front desk.",
        expires_at=timezone.now() + datetime.timedelta(minutes=30),
    )


# --- reading ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "amira", "morgan"])
def test_the_care_team_lists_her_assessments_and_the_list_is_audited(world, who) -> None:
    administration = record_intake(world)
    response = api(world.staff()[who]).get(ADMINISTRATIONS)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [str(administration.pk)]
    assert rows[0]["participant"] == str(world.rosa.pk)
    assert rows[0]["instrument_code"] == exit_doors_here.INTAKE
    entry = AuditEntry.objects.filter(action="list", actor_username=who).get()
    assert entry.detail["shown"] == [str(world.rosa.pk)]


@pytest.mark.parametrize("who", ["bianca", "olive", "oscar", "ada"])
def test_whoever_does_not_reach_her_lists_none_of_her_assessments(world, who) -> None:
    record_intake(world)
    response = api(world.staff()[who]).get(ADMINISTRATIONS)
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("who", ["bianca", "olive", "oscar", "ada"])
def test_one_of_her_assessments_out_of_reach_is_404_and_the_attempt_audited(world, who) -> None:
    administration = record_intake(world)
    response = api(world.staff()[who]).get(one(administration.pk))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert str(world.rosa.pk) not in response.content.decode()
    assert AuditEntry.objects.filter(
        action="refused", actor_username=who, detail__object_id=str(administration.pk)
    ).exists()


@pytest.mark.parametrize("who", ["pat", "eve"])
def test_a_peer_mentor_or_an_evaluator_is_refused_every_assessment(world, who) -> None:
    administration = record_intake(world)
    client = api(world.staff()[who])
    for response in (
        client.get(ADMINISTRATIONS),
        client.get(one(administration.pk)),
        client.post(ADMINISTRATIONS, payload(world), format="json"),
        client.get("/api/v1/instruments/"),
        client.get("/api/v1/instrument-versions/"),
    ):
        assert response.status_code == 403
        assert "Rosa" not in response.content.decode()
    assert Administration.objects.count() == 1


def test_one_assessment_shows_her_answers_and_scores_and_the_read_is_audited(world) -> None:
    administration = record_intake(world, presenting_issues=["other"], presenting_other="Debts")
    response = api(world.alice).get(one(administration.pk))
    assert response.status_code == 200
    assert response["ETag"]
    body = response.json()
    answers = {a["item"]: a["value"] for a in body["answers"]}
    assert answers["identifies_as_woman"] is True
    assert answers["presenting_issues"] == ["other"]
    assert answers["presenting_other"] == "Debts"
    assert body["rule_results"]
    assert AuditEntry.objects.filter(
        action="view",
        actor_username="alice",
        participant_id=str(world.rosa.pk),
        object_id=str(administration.pk),
    ).exists()


def test_an_administrator_with_broken_glass_reads_and_never_records(world) -> None:
    administration = record_intake(world)
    open_glass(world)
    client = api(world.ada)
    assert client.get(one(administration.pk)).status_code == 200
    refused = client.post(ADMINISTRATIONS, payload(world), format="json")
    assert refused.status_code == 403
    assert Administration.objects.count() == 1


def test_assessments_filter_by_enrolment_instrument_timepoint_and_date(world) -> None:
    first = record_intake(world)
    scale = journey(world).current_version()
    assert scale is not None
    from doorway.instruments.actions import record_administration

    later = record_administration(
        world.rosa_enrolment,
        scale,
        by=world.alice,
        timepoint="ad_hoc",
        completed_on=timezone.localdate(),
        answers={first_area(world): 4},
    )
    client = api(world.alice)

    def ids(**query: str) -> set[str]:
        response = client.get(ADMINISTRATIONS, query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids(instrument=exit_doors_here.INTAKE) == {str(first.pk)}
    assert ids(timepoint="ad_hoc") == {str(later.pk)}
    assert ids(enrolment=str(world.rosa_enrolment.pk)) == {str(first.pk), str(later.pk)}
    assert ids(participant=str(world.tess.pk)) == set()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert ids(completed_on_after=tomorrow) == set()
    bad = client.get(ADMINISTRATIONS, {"timepoint": "someday"})
    assert bad.status_code == 400
    assert "timepoint" in bad.json()["errors"]


def test_the_list_takes_as_many_queries_for_twenty_as_for_one(
    world, django_assert_max_num_queries
) -> None:
    record_intake(world)
    client = api(world.alice)
    with CaptureQueriesContext(connection) as one_row:
        assert len(client.get(ADMINISTRATIONS).json()["results"]) == 1
    version = intake(world).current_version()
    assert version is not None
    from doorway.instruments.actions import record_administration

    for _ in range(19):
        person = ParticipantFactory(agency=world.agency, registered_by=world.alice)
        enrolment = EnrolmentFactory(
            participant=person, cycle=world.rosa_enrolment.cycle, case_manager=world.alice
        )
        record_administration(
            enrolment,
            version,
            by=world.alice,
            timepoint="intake",
            completed_on=timezone.localdate(),
            answers=eligible_answers(),
        )
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        assert len(client.get(ADMINISTRATIONS).json()["results"]) == 20


# --- recording ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "morgan"])
def test_the_care_team_records_an_assessment_with_its_scores(world, who) -> None:
    response = api(world.staff()[who]).post(ADMINISTRATIONS, payload(world), format="json")
    assert response.status_code == 201, response.content
    administration = Administration.objects.get()
    assert response.json()["id"] == str(administration.pk)
    assert administration.recorded_by == world.staff()[who]
    assert eligibility(administration)["met"] is True
    assert AuditEntry.objects.filter(
        action="create", object_id=str(administration.pk), participant_id=str(world.rosa.pk)
    ).exists()


def test_true_and_false_answer_yes_or_no_questions(world) -> None:
    body = payload(world, identifies_as_woman=True, wants_to_leave=False)
    response = api(world.alice).post(ADMINISTRATIONS, body, format="json")
    assert response.status_code == 201, response.content
    answers = {a["item"]: a["value"] for a in response.json()["answers"]}
    assert answers["identifies_as_woman"] is True
    assert answers["wants_to_leave"] is False


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"age": 200}, "answers.age"),
        ({"age": "ten"}, "answers.age"),
        ({"readiness_stage": None}, "answers.readiness_stage"),
        ({"readiness_stage": "ready"}, "answers.readiness_stage"),
        ({"presenting_issues": "housing"}, "answers.presenting_issues"),
        ({"sex_work_involvement": ["often"]}, "answers.sex_work_involvement"),
        ({"identifies_as_woman": {"yes": 1}}, "answers.identifies_as_woman"),
        ({"no_such_question": "yes"}, "answers.no_such_question"),
    ],
)
def test_bad_answers_are_refused_by_item_code_and_nothing_is_saved(world, answers, field) -> None:
    body = payload(world)
    body["answers"].update(answers)
    body["answers"] = {k: v for k, v in body["answers"].items() if v is not None}
    response = api(world.alice).post(ADMINISTRATIONS, body, format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert not Administration.objects.exists()


def test_a_step_outside_the_scale_is_refused(world) -> None:
    body = {
        "enrolment": str(world.rosa_enrolment.pk),
        "instrument": str(journey(world).pk),
        "timepoint": "ad_hoc",
        "completed_on": timezone.localdate().isoformat(),
        "answers": {first_area(world): 11},
    }
    response = api(world.alice).post(ADMINISTRATIONS, body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [f"answers.{first_area(world)}"]
    assert not Administration.objects.exists()


def test_a_future_date_and_an_unknown_instrument_are_refused_by_field(world) -> None:
    client = api(world.alice)
    body = payload(world)
    body["completed_on"] = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = client.post(ADMINISTRATIONS, body, format="json")
    assert response.status_code == 400
    assert "completed_on" in response.json()["errors"]
    body = payload(world)
    body["instrument"] = str(world.rosa.pk)
    response = client.post(ADMINISTRATIONS, body, format="json")
    assert response.status_code == 400
    assert "instrument" in response.json()["errors"]
    assert not Administration.objects.exists()


@pytest.mark.parametrize("who", ["bianca", "oscar", "ada"])
def test_recording_for_someone_out_of_reach_is_404_audited_and_saves_nothing(world, who) -> None:
    response = api(world.staff()[who]).post(ADMINISTRATIONS, payload(world), format="json")
    expected = 403 if who == "ada" else 404
    assert response.status_code == expected
    assert not Administration.objects.exists()
    if expected == 404:
        assert AuditEntry.objects.filter(
            action="refused", actor_username=who, detail__object_id=str(world.rosa_enrolment.pk)
        ).exists()


# --- definitions -------------------------------------------------------------------------


def test_the_care_team_reads_its_programs_instruments_and_their_definitions(world) -> None:
    instrument = intake(world)
    client = api(world.alice)
    rows = client.get("/api/v1/instruments/").json()["results"]
    assert {r["code"] for r in rows} >= {exit_doors_here.INTAKE, exit_doors_here.JOURNEY}
    version = instrument.current_version()
    assert version is not None
    body = client.get(f"/api/v1/instrument-versions/{version.pk}/").json()
    codes = [i["code"] for s in body["definition"]["sections"] for i in s["items"]]
    assert "identifies_as_woman" in codes
    assert api(world.oscar).get("/api/v1/instruments/").json()["results"] == []
    missing = api(world.oscar).get(f"/api/v1/instrument-versions/{version.pk}/")
    assert missing.status_code == 404

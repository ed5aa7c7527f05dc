"""Her plan in the API: reached through her enrolment, read by the care team only,
changed through the actions with If-Match, every read audited."""

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
from doorway.people.models import BreakGlass
from doorway.plans.actions import set_phase_plan
from doorway.plans.models import Goal, ServicePlan, Status, StatusChange
from doorway.plans.tests.support import HER_WORDS, PRIVATE, areas, days_ago, plan_for
from doorway.programs.models import FocusArea
from doorway.testing.factories import EnrolmentFactory, ParticipantFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


def api(user: Any) -> APIClient:
    client = APIClient()
    signed_in(client, user)
    return client


def snapshot(world: World) -> tuple[object, ...]:
    enrolment = world.rosa_enrolment
    return (
        tuple(
            ServicePlan.objects.filter(enrolment=enrolment).values_list(
                "agreed_on", "updated_at", "private_notes"
            )
        ),
        tuple(
            (g.pk, g.focus_area_id, g.her_words, g.status, g.target_on)
            for g in Goal.objects.filter(plan__enrolment=enrolment).order_by("pk")
        ),
        StatusChange.objects.count(),
    )


@pytest.fixture
def plan(world: World) -> dict[str, Any]:
    service_plan, goals = plan_for(world, goals=1)
    phase_plan = set_phase_plan(
        world.rosa_enrolment, by=world.alice, focus_areas=areas(world)[:1], agreed_on=days_ago(2)
    )
    return {
        "service-plans": service_plan,
        "goals": goals[0],
        "steps": goals[0].steps.get(),
        "phase-plans": phase_plan,
    }


RESOURCES = ["service-plans", "phase-plans", "goals", "steps"]


def url(resource: str, pk: Any = None, action: str = "") -> str:
    return f"{V1}/{resource}/" + (f"{pk}/" if pk else "") + (f"{action}/" if action else "")


# --- reading ----------------------------------------------------------------------------


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("who", ["alice", "amira", "morgan"])
def test_the_care_team_lists_and_reads_her_plan_and_both_are_audited(
    world, plan, resource, who
) -> None:
    client = api(world.staff()[who])
    listed = client.get(url(resource))
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["results"]] == [str(plan[resource].pk)]
    assert listed.json()["results"][0]["participant"] == str(world.rosa.pk)
    entry = AuditEntry.objects.filter(action="list", actor_username=who).get()
    assert entry.detail["shown"] == [str(world.rosa.pk)]
    one = client.get(url(resource, plan[resource].pk))
    assert one.status_code == 200
    assert one["ETag"]
    assert AuditEntry.objects.filter(
        action="view",
        actor_username=who,
        participant_id=str(world.rosa.pk),
        object_id=str(plan[resource].pk),
    ).exists()


def test_the_care_team_reads_her_words_and_the_private_notes(world, plan) -> None:
    body = api(world.alice).get(url("service-plans", plan["service-plans"].pk)).json()
    assert body["her_words"] == HER_WORDS
    assert body["private_notes"] == PRIVATE
    goal = api(world.alice).get(url("goals", plan["goals"].pk)).json()
    assert [s["id"] for s in goal["steps"]] == [str(plan["steps"].pk)]


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("who", ["bianca", "olive", "oscar", "ada"])
def test_whoever_does_not_reach_her_gets_an_empty_list_and_404_audited(
    world, plan, resource, who
) -> None:
    client = api(world.staff()[who])
    assert client.get(url(resource)).json()["results"] == []
    response = client.get(url(resource, plan[resource].pk))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert HER_WORDS not in response.content.decode()
    assert AuditEntry.objects.filter(
        action="refused", actor_username=who, detail__object_id=str(plan[resource].pk)
    ).exists()


@pytest.mark.parametrize("who", ["pat", "eve"])
def test_a_peer_mentor_or_an_evaluator_never_reads_or_writes_a_plan(world, plan, who) -> None:
    client = api(world.staff()[who])
    before = snapshot(world)
    goal = plan["goals"]
    etag = api(world.alice).get(url("goals", goal.pk))["ETag"]
    responses = [client.get(url(r)) for r in RESOURCES]
    responses += [client.get(url(r, plan[r].pk)) for r in RESOURCES]
    responses += [
        client.post(
            url("goals"),
            {
                "enrolment": str(world.rosa_enrolment.pk),
                "focus_area": str(goal.focus_area_id),
                "her_words": "x",
            },
            format="json",
        ),
        client.patch(url("goals", goal.pk), {"her_words": "x"}, format="json", HTTP_IF_MATCH=etag),
        client.post(
            url("goals", goal.pk, "status"),
            {"status": "achieved", "on": days_ago(0).isoformat()},
            format="json",
            HTTP_IF_MATCH=etag,
        ),
        client.patch(
            url("service-plans", plan["service-plans"].pk),
            {"private_notes": ""},
            format="json",
            HTTP_IF_MATCH="x",
        ),
    ]
    for response in responses:
        assert response.status_code == 403
        body = response.content.decode()
        assert PRIVATE not in body
        assert HER_WORDS not in body
    assert snapshot(world) == before


def open_glass(world: World) -> None:
    BreakGlass.objects.create(
        user=world.ada,
        participant=world.rosa,
        reason="She asked for a copy of her record at the front desk.",
        expires_at=timezone.now() + datetime.timedelta(minutes=30),
    )


def test_an_administrator_with_broken_glass_reads_and_never_writes(world, plan) -> None:
    open_glass(world)
    client = api(world.ada)
    goal = plan["goals"]
    read = client.get(url("goals", goal.pk))
    assert read.status_code == 200
    before = snapshot(world)
    refused = client.patch(
        url("goals", goal.pk), {"her_words": "x"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert refused.status_code == 403
    assert snapshot(world) == before


def test_goals_filter_by_status_and_participant(world, plan) -> None:
    client = api(world.alice)

    def ids(**query: str) -> set[str]:
        response = client.get(url("goals"), query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    every = {str(g.pk) for g in Goal.objects.all()}
    assert ids(status="not_started") == every
    assert ids(status="achieved") == set()
    assert ids(participant=str(world.rosa.pk)) == every
    assert ids(participant=str(world.tess.pk)) == set()
    assert client.get(url("goals"), {"status": "finished"}).status_code == 400
    assert client.get(url("goals"), {"enrolment": "not-a-uuid"}).status_code == 400


def test_the_goal_list_takes_as_many_queries_for_twenty_as_for_one(
    world, django_assert_max_num_queries
) -> None:
    plan_for(world, goals=1)
    client = api(world.alice)
    with CaptureQueriesContext(connection) as one_row:
        assert len(client.get(url("goals")).json()["results"]) == 1
    for _ in range(19):
        person = ParticipantFactory(agency=world.agency, registered_by=world.alice)
        enrolment = EnrolmentFactory(
            participant=person, cycle=world.rosa_enrolment.cycle, case_manager=world.alice
        )
        plan_for(world, enrolment=enrolment, goals=1)
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        assert len(client.get(url("goals")).json()["results"]) == 20


# --- adding a goal ----------------------------------------------------------------------


def goal_body(world: World, **changes: Any) -> dict[str, Any]:
    body = {
        "enrolment": str(world.rosa_enrolment.pk),
        "focus_area": str(areas(world)[0].pk),
        "her_words": "Open a bank account",
    }
    body.update(changes)
    return body


def test_her_case_manager_adds_a_goal(world, plan) -> None:
    response = api(world.alice).post(url("goals"), goal_body(world), format="json")
    assert response.status_code == 201, response.content
    goal = Goal.objects.get(pk=response.json()["id"])
    assert goal.her_words == "Open a bank account"
    assert response["ETag"]
    assert AuditEntry.objects.filter(action="create", object_id=str(goal.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"her_words": "  "}, "her_words"),
        ({"focus_area": None}, "focus_area"),
        ({"target_on": "1999-01-01"}, "target_on"),
        ({"target_on": "soon"}, "target_on"),
    ],
)
def test_a_bad_goal_is_refused_by_field_and_nothing_changes(world, plan, changes, field) -> None:
    before = snapshot(world)
    response = api(world.alice).post(url("goals"), goal_body(world, **changes), format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert snapshot(world) == before


def test_a_focus_area_of_another_program_is_refused(world, plan) -> None:
    other = FocusArea.objects.create(program=world.other_program, name="Elsewhere", slug="else")
    response = api(world.alice).post(
        url("goals"), goal_body(world, focus_area=str(other.pk)), format="json"
    )
    assert response.status_code == 400
    assert "focus_area" in response.json()["errors"]


@pytest.mark.parametrize("who", ["bianca", "oscar"])
def test_adding_a_goal_for_someone_out_of_reach_is_404_and_audited(world, plan, who) -> None:
    before = snapshot(world)
    response = api(world.staff()[who]).post(url("goals"), goal_body(world), format="json")
    assert response.status_code == 404
    assert snapshot(world) == before
    assert AuditEntry.objects.filter(action="refused", actor_username=who).exists()


# --- changing a goal and the plan: If-Match ----------------------------------------------


def test_a_goal_changes_with_its_etag_and_gets_a_new_one(world, plan) -> None:
    client = api(world.alice)
    goal = plan["goals"]
    etag = client.get(url("goals", goal.pk))["ETag"]
    response = client.patch(
        url("goals", goal.pk),
        {"her_words": "A flat near the school"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] != etag
    goal.refresh_from_db()
    assert goal.her_words == "A flat near the school"
    assert AuditEntry.objects.filter(action="change", object_id=str(goal.pk)).exists()


def test_two_people_changing_the_same_goal_the_second_is_refused_and_the_first_survives(
    world, plan
) -> None:
    goal = plan["goals"]
    alice, amira = api(world.alice), api(world.amira)
    etag_alice = alice.get(url("goals", goal.pk))["ETag"]
    etag_amira = amira.get(url("goals", goal.pk))["ETag"]
    assert etag_alice == etag_amira
    first = alice.patch(
        url("goals", goal.pk),
        {"her_words": "Alice's words"},
        format="json",
        HTTP_IF_MATCH=etag_alice,
    )
    assert first.status_code == 200
    second = amira.patch(
        url("goals", goal.pk),
        {"her_words": "Amira's words"},
        format="json",
        HTTP_IF_MATCH=etag_amira,
    )
    assert second.status_code == 412
    assert second["Content-Type"] == "application/problem+json"
    goal.refresh_from_db()
    assert goal.her_words == "Alice's words"


def test_a_status_move_counts_as_a_change_to_the_goal(world, plan) -> None:
    goal = plan["goals"]
    client = api(world.alice)
    etag = client.get(url("goals", goal.pk))["ETag"]
    today = timezone.localdate().isoformat()
    moved = client.post(
        url("goals", goal.pk, "status"),
        {"status": "in_progress", "on": today},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == "in_progress"
    stale = client.patch(
        url("goals", goal.pk), {"her_words": "Overwritten"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    again = client.post(
        url("goals", goal.pk, "status"),
        {"status": "dropped", "on": today},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert again.status_code == 412
    goal.refresh_from_db()
    assert (goal.status, goal.her_words) == (Status.IN_PROGRESS, "Goal number 0")


@pytest.mark.parametrize("resource", ["goals", "service-plans"])
def test_a_change_without_if_match_is_428_and_changes_nothing(world, plan, resource) -> None:
    before = snapshot(world)
    response = api(world.alice).patch(
        url(resource, plan[resource].pk), {"her_words": "Without looking"}, format="json"
    )
    assert response.status_code == 428
    assert response["Content-Type"] == "application/problem+json"
    no_status = api(world.alice).post(
        url("goals", plan["goals"].pk, "status"),
        {"status": "achieved", "on": timezone.localdate().isoformat()},
        format="json",
    )
    assert no_status.status_code == 428
    assert snapshot(world) == before


def test_a_bad_change_is_refused_by_field_and_nothing_changes(world, plan) -> None:
    client = api(world.alice)
    goal = plan["goals"]
    etag = client.get(url("goals", goal.pk))["ETag"]
    before = snapshot(world)
    response = client.patch(
        url("goals", goal.pk),
        {"her_words": " ", "target_on": "2001-01-01"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"her_words", "target_on"}
    status = client.post(
        url("goals", goal.pk, "status"),
        {"status": "achieved", "on": "2001-01-01"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert status.status_code == 400
    assert "on" in status.json()["errors"]
    assert snapshot(world) == before


def test_the_service_plan_changes_with_its_etag_and_a_stale_one_is_refused(world, plan) -> None:
    service_plan = plan["service-plans"]
    alice, morgan = api(world.alice), api(world.morgan)
    etag = alice.get(url("service-plans", service_plan.pk))["ETag"]
    assert morgan.get(url("service-plans", service_plan.pk))["ETag"] == etag
    first = alice.patch(
        url("service-plans", service_plan.pk),
        {"private_notes": "Moved to her sister's"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert first.status_code == 200, first.content
    assert first.json()["her_words"] == HER_WORDS
    second = morgan.put(
        url("service-plans", service_plan.pk),
        {"agreed_on": days_ago(1).isoformat(), "her_words": "Morgan's version"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert second.status_code == 412
    service_plan.refresh_from_db()
    assert service_plan.private_notes == "Moved to her sister's"
    assert service_plan.her_words == HER_WORDS
    assert service_plan.history.count() == 2


def test_a_bad_service_plan_change_is_refused_by_field(world, plan) -> None:
    service_plan = plan["service-plans"]
    client = api(world.alice)
    etag = client.get(url("service-plans", service_plan.pk))["ETag"]
    before = snapshot(world)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.patch(
        url("service-plans", service_plan.pk),
        {"agreed_on": future, "her_words": ""},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"agreed_on", "her_words"}
    assert snapshot(world) == before


def test_a_goal_before_her_plan_is_agreed_is_refused_in_plain_words(world) -> None:
    tess = world.tess.enrolments.get()
    response = api(world.amira).post(
        url("goals"), {**goal_body(world), "enrolment": str(tess.pk)}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": ["Agree her plan with her before adding goals."]
    }
    assert not Goal.objects.exists()

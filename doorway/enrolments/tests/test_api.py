"""/api/v1/enrolments/, their phase moves, and /api/v1/journey-events/."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.audit.models import Action, AuditEntry
from doorway.enrolments.models import Enrolment, EventKind, JourneyEvent
from doorway.testing.factories import CycleFactory, EnrolmentFactory, ParticipantFactory


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ids(response) -> set[str]:
    return {row["id"] for row in response.json()["results"]}


def phases(world) -> list:
    return list(world.program.active_phases())


def moves_url(enrolment) -> str:
    return f"/api/v1/enrolments/{enrolment.pk}/moves/"


# --- list and reach -----------------------------------------------------------------


def test_a_case_manager_lists_her_teams_enrolments_only(world) -> None:
    response = api(world.alice).get("/api/v1/enrolments/")
    assert response.status_code == 200
    assert ids(response) == {
        str(world.rosa_enrolment.pk),
        str(world.tess.enrolments.get().pk),
    }
    (entry,) = AuditEntry.objects.filter(action=Action.LIST)
    assert set(entry.detail["shown"]) == {str(world.rosa.pk), str(world.tess.pk)}


def test_a_peer_mentor_sees_her_mentees_enrolment_without_its_intake(world) -> None:
    response = api(world.pat).get("/api/v1/enrolments/")
    (row,) = response.json()["results"]
    assert row["id"] == str(world.rosa_enrolment.pk)
    assert row["intake"] is None
    assert row["participant"] == {
        "id": str(world.rosa.pk),
        "code": world.rosa.code,
        "preferred_name": "Rosa",
    }


def test_a_case_manager_sees_the_intake(world) -> None:
    response = api(world.alice).get(f"/api/v1/enrolments/{world.rosa_enrolment.pk}/")
    assert response.json()["intake"]["referral_source"] == "outreach"
    assert response["ETag"]


def test_filters_by_program_phase_open_and_case_manager(world) -> None:
    client = api(world.morgan)
    first = phases(world)[0]
    assert len(ids(client.get("/api/v1/enrolments/", {"program": str(world.program.pk)}))) == 3
    assert len(ids(client.get("/api/v1/enrolments/", {"phase": str(first.pk)}))) == 3
    assert ids(client.get("/api/v1/enrolments/", {"open": "false"})) == set()
    assert ids(client.get("/api/v1/enrolments/", {"case_manager": str(world.alice.pk)})) == {
        str(world.rosa_enrolment.pk)
    }
    other = client.get("/api/v1/enrolments/", {"program": str(world.other_program.pk)})
    assert ids(other) == set()


@pytest.mark.parametrize(
    ("username", "whom"), [("alice", "uma"), ("pat", "tess"), ("olive", "rosa"), ("ada", "rosa")]
)
def test_an_enrolment_out_of_reach_answers_404_and_is_audited(world, username, whom) -> None:
    enrolment = getattr(world, whom).enrolments.get()
    response = api(world.staff()[username]).get(f"/api/v1/enrolments/{enrolment.pk}/")
    assert response.status_code == 404
    assert AuditEntry.objects.filter(
        action=Action.REFUSED, detail__object_id=str(enrolment.pk)
    ).exists()


@pytest.mark.parametrize(
    "path", ["/api/v1/enrolments/", "/api/v1/journey-events/", "/api/v1/enrolments/{id}/"]
)
def test_an_evaluator_is_refused_enrolments(world, path) -> None:
    response = api(world.eve).get(path.format(id=world.rosa_enrolment.pk))
    assert response.status_code == 403
    assert world.rosa.code not in response.content.decode()


def test_the_list_takes_the_same_queries_for_1_or_20_rows(
    world, django_assert_max_num_queries
) -> None:
    client = api(world.pat)
    with django_assert_max_num_queries(12) as one:
        assert len(client.get("/api/v1/enrolments/").json()["results"]) == 1
    for _ in range(19):
        person = ParticipantFactory(agency=world.agency, registered_by=world.alice)
        EnrolmentFactory(
            participant=person,
            cycle=world.rosa_enrolment.cycle,
            case_manager=world.alice,
            peer_mentor=world.pat,
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/enrolments/").json()["results"]) == 20


# --- enrol ----------------------------------------------------------------------------


def test_a_case_manager_enrols_her_participant_in_another_cycle(world) -> None:
    world.rosa_enrolment.exit("withdrew", by=world.alice, reason="Moved away")
    again = CycleFactory(program=world.program, name="Cycle 2")
    response = api(world.alice).post(
        "/api/v1/enrolments/",
        {
            "participant": str(world.rosa.pk),
            "cycle": str(again.pk),
            "referral_source": "self",
            "referred_on": timezone.localdate().isoformat(),
            "case_manager": str(world.alice.pk),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["cycle"]["name"] == "Cycle 2"
    assert world.rosa.enrolments.count() == 2


def test_a_second_open_enrolment_in_a_program_is_refused_by_the_action(world) -> None:
    response = api(world.alice).post(
        "/api/v1/enrolments/",
        {
            "participant": str(world.rosa.pk),
            "cycle": str(world.rosa_enrolment.cycle_id),
            "referral_source": "self",
            "referred_on": timezone.localdate().isoformat(),
            "case_manager": str(world.alice.pk),
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "cycle": ["She already has an open enrolment in this program."]
    }
    assert world.rosa.enrolments.count() == 1


def test_enrolling_someone_out_of_reach_answers_404(world) -> None:
    response = api(world.alice).post(
        "/api/v1/enrolments/",
        {
            "participant": str(world.uma.pk),
            "cycle": str(world.rosa_enrolment.cycle_id),
            "referral_source": "self",
            "referred_on": timezone.localdate().isoformat(),
            "case_manager": str(world.alice.pk),
        },
        format="json",
    )
    assert response.status_code == 404
    assert world.uma.enrolments.count() == 1


@pytest.mark.parametrize("username", ["pat", "eve", "ada"])
def test_roles_that_do_not_enrol_are_refused(world, username) -> None:
    response = api(world.staff()[username]).post("/api/v1/enrolments/", {}, format="json")
    assert response.status_code == 403


# --- phase moves ----------------------------------------------------------------------


def test_the_allowed_moves_are_listed_with_why_some_are_blocked(world) -> None:
    response = api(world.alice).get(moves_url(world.rosa_enrolment))
    assert response.status_code == 200
    moves = {m["move"]: m for m in response.json()}
    _pre, one, two, _three = phases(world)
    assert moves[f"phase:{one.pk}"]["blocked_because"] == ""
    assert "eligible" in moves[f"phase:{two.pk}"]["blocked_because"]
    assert moves["exit:withdrew"]["needs_reason"] is True
    assert "exit:graduated" not in moves
    assert AuditEntry.objects.filter(action=Action.VIEW, participant_id=str(world.rosa.pk)).exists()


def test_a_move_goes_through_the_phase_machine(world) -> None:
    one = phases(world)[1]
    response = api(world.alice).post(
        moves_url(world.rosa_enrolment), {"to_phase": str(one.pk)}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["current_phase"]["id"] == str(one.pk)
    event = JourneyEvent.objects.filter(enrolment=world.rosa_enrolment).latest("recorded_at")
    assert (event.kind, event.recorded_by) == (EventKind.ADVANCED, world.alice)


def test_an_exit_by_its_key_needs_a_reason(world) -> None:
    client = api(world.alice)
    refused = client.post(
        moves_url(world.rosa_enrolment), {"move": "exit:withdrew"}, format="json", HTTP_IF_MATCH="*"
    )
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["detail"] == "Say why: this move needs a reason on the record."
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.is_open
    done = client.post(
        moves_url(world.rosa_enrolment),
        {"exit_reason": "withdrew", "reason": "She chose to stop."},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert done.status_code == 200
    assert done.json()["exit_reason"] == "withdrew"


def test_a_blocked_move_is_refused_in_plain_words_and_nothing_changes(world) -> None:
    two = phases(world)[2]
    response = api(world.alice).post(
        moves_url(world.rosa_enrolment),
        {"to_phase": str(two.pk), "reason": "Skip"},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    assert "not been found eligible" in response.json()["detail"]
    assert Enrolment.objects.get(pk=world.rosa_enrolment.pk).current_phase == phases(world)[0]
    assert JourneyEvent.objects.filter(enrolment=world.rosa_enrolment).count() == 1


def test_a_move_dated_in_the_future_is_refused(world) -> None:
    one = phases(world)[1]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = api(world.alice).post(
        moves_url(world.rosa_enrolment),
        {"to_phase": str(one.pk), "on": tomorrow.isoformat()},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "A move cannot be dated in the future."


def test_a_move_must_say_what_happens(world) -> None:
    response = api(world.alice).post(
        moves_url(world.rosa_enrolment), {}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]


def test_a_move_with_a_stale_etag_is_refused_and_the_earlier_move_survives(world) -> None:
    alice, amira = api(world.alice), api(world.amira)
    etag = alice.get(f"/api/v1/enrolments/{world.rosa_enrolment.pk}/")["ETag"]
    one = phases(world)[1]
    assert (
        amira.post(
            moves_url(world.rosa_enrolment),
            {"to_phase": str(one.pk)},
            format="json",
            HTTP_IF_MATCH="*",
        ).status_code
        == 200
    )
    stale = alice.post(
        moves_url(world.rosa_enrolment),
        {"exit_reason": "lost_contact", "reason": "No answer"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert stale.status_code == 412
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.current_phase == one
    assert world.rosa_enrolment.is_open


@pytest.mark.parametrize("username", ["pat", "eve", "ada"])
def test_roles_that_do_not_move_phases_are_refused(world, username) -> None:
    client = api(world.staff()[username])
    assert client.get(moves_url(world.rosa_enrolment)).status_code == 403
    one = phases(world)[1]
    response = client.post(
        moves_url(world.rosa_enrolment), {"to_phase": str(one.pk)}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 403
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.current_phase == phases(world)[0]


def test_a_move_out_of_reach_answers_404(world) -> None:
    response = api(world.bianca).post(
        moves_url(world.rosa_enrolment),
        {"exit_reason": "withdrew", "reason": "x"},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 404
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.is_open


# --- journey events -------------------------------------------------------------------


def test_the_timeline_shows_reasons_to_the_case_team_only(world) -> None:
    world.rosa_enrolment.decide_eligibility("eligible", by=world.alice, reason="Three factors")
    one = phases(world)[1]
    world.rosa_enrolment.move_to(one, by=world.alice, reason="Ready to start")
    query = {"enrolment": str(world.rosa_enrolment.pk)}
    mine = api(world.alice).get("/api/v1/journey-events/", query).json()["results"]
    assert [e["kind"] for e in mine] == ["referred", "eligibility", "advanced"]
    assert mine[-1]["reason"] == "Ready to start"
    mentor = api(world.pat).get("/api/v1/journey-events/", query)
    assert [e["kind"] for e in mentor.json()["results"]] == ["referred", "advanced"]
    assert all(e["reason"] is None for e in mentor.json()["results"])
    assert "Three factors" not in mentor.content.decode()


def test_journey_events_out_of_reach_are_not_listed(world) -> None:
    response = api(world.alice).get("/api/v1/journey-events/", {"participant": str(world.uma.pk)})
    assert response.json()["results"] == []
    event = JourneyEvent.objects.get(enrolment__participant=world.uma)
    assert api(world.alice).get(f"/api/v1/journey-events/{event.pk}/").status_code == 404


def test_the_timeline_takes_the_same_queries_for_1_or_20_events(
    world, django_assert_max_num_queries
) -> None:
    client = api(world.amira)
    query = {"participant": str(world.tess.pk)}
    with django_assert_max_num_queries(12) as one:
        assert len(client.get("/api/v1/journey-events/", query).json()["results"]) == 1
    enrolment = world.tess.enrolments.get()
    for n in range(19):
        JourneyEvent.objects.create(
            enrolment=enrolment,
            kind=EventKind.ASSIGNED,
            effective_on=timezone.localdate(),
            recorded_by=world.alice if n % 2 else world.amira,
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/journey-events/", query).json()["results"]) == 20


# --- eligibility and assignment -------------------------------------------------------


def test_an_eligibility_decision_opens_the_later_phases(world) -> None:
    client = api(world.alice)
    url = f"/api/v1/enrolments/{world.rosa_enrolment.pk}/"
    response = client.post(
        url + "eligibility/",
        {"decision": "eligible", "reason": "Three factors"},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["intake"]["eligibility"] == "eligible"
    two = phases(world)[2]
    moves = {m["move"]: m for m in client.get(url + "moves/").json()}
    assert moves[f"phase:{two.pk}"]["blocked_because"] == ""


def test_an_eligibility_decision_needs_a_reason_and_a_known_decision(world) -> None:
    response = api(world.alice).post(
        f"/api/v1/enrolments/{world.rosa_enrolment.pk}/eligibility/",
        {"decision": "maybe"},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"decision", "reason"}
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.eligibility == "pending"


def test_an_eligibility_decision_on_a_closed_enrolment_is_refused_in_plain_words(world) -> None:
    world.rosa_enrolment.exit("withdrew", by=world.alice, reason="Moved away")
    response = api(world.alice).post(
        f"/api/v1/enrolments/{world.rosa_enrolment.pk}/eligibility/",
        {"decision": "eligible", "reason": "Three factors"},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == ("Reopen the enrolment before changing its eligibility.")


@pytest.mark.parametrize("username", ["pat", "eve", "ada"])
def test_roles_that_do_not_decide_eligibility_are_refused(world, username) -> None:
    response = api(world.staff()[username]).post(
        f"/api/v1/enrolments/{world.rosa_enrolment.pk}/eligibility/",
        {"decision": "eligible", "reason": "x"},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 403
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.eligibility == "pending"


def test_a_program_manager_assigns_staff_of_her_program(world) -> None:
    response = api(world.morgan).post(
        f"/api/v1/enrolments/{world.rosa_enrolment.pk}/assignment/",
        {"case_manager": str(world.amira.pk), "peer_mentor": None},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 200, response.json()
    world.rosa_enrolment.refresh_from_db()
    assert (world.rosa_enrolment.case_manager, world.rosa_enrolment.peer_mentor) == (
        world.amira,
        None,
    )


def test_staff_of_another_program_cannot_be_assigned(world) -> None:
    response = api(world.morgan).post(
        f"/api/v1/enrolments/{world.rosa_enrolment.pk}/assignment/",
        {"case_manager": str(world.oscar.pk), "peer_mentor": str(world.alice.pk)},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"case_manager", "peer_mentor"}
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.case_manager == world.alice


def test_only_a_program_manager_assigns(world) -> None:
    response = api(world.alice).post(
        f"/api/v1/enrolments/{world.rosa_enrolment.pk}/assignment/",
        {"case_manager": str(world.amira.pk)},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 403
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.case_manager == world.alice

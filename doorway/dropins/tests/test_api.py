"""Drop-ins in the API: sessions of one's programs, a register that names only the
women the caller reaches (the others a bare count), marks through the actions."""

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
from doorway.dropins.actions import mark_attendance, start_session
from doorway.dropins.models import Attendance, GroupSession
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/sessions/"


def api(user: Any) -> APIClient:
    client = APIClient()
    signed_in(client, user)
    return client


def one(pk: Any, action: str = "") -> str:
    return f"{SESSIONS}{pk}/" + (f"{action}/" if action else "")


def a_session(world: World, **kw: Any) -> GroupSession:
    values: dict[str, Any] = {"kind": "drop_in", "held_on": timezone.localdate()}
    values.update(kw)
    return start_session(world.program, by=world.alice, **values)


@pytest.fixture
def full_session(world: World) -> GroupSession:
    """Rosa (Alice's, mentored by Pat), Tess (Amira's) and Uma (Bianca's) came."""
    session = a_session(world)
    for person, by in (
        (world.rosa, world.alice),
        (world.tess, world.amira),
        (world.uma, world.bianca),
    ):
        mark_attendance(session, person.enrolments.get(), by=by)
    return session


def names(register: dict[str, Any]) -> set[str]:
    return {p["preferred_name"] for p in register["expected"] + register["walk_ins"]}


def present(register: dict[str, Any]) -> set[str]:
    return {
        p["preferred_name"] for p in register["expected"] + register["walk_ins"] if p["present"]
    }


# --- reading ----------------------------------------------------------------------------


def test_the_register_names_whom_she_reaches_and_counts_the_others(world, full_session) -> None:
    register = api(world.alice).get(one(full_session.pk)).json()["register"]
    assert present(register) == {"Rosa", "Tess"}
    assert register["others"] == 1
    assert register["total"] == 3
    assert "Uma" not in str(register)


def test_a_peer_mentor_sees_only_her_mentee_by_name(world, full_session) -> None:
    response = api(world.pat).get(one(full_session.pk))
    assert response.status_code == 200
    register = response.json()["register"]
    assert names(register) == {"Rosa"}
    assert present(register) == {"Rosa"}
    assert register["others"] == 2
    text = response.content.decode()
    assert "Tess" not in text
    assert "Uma" not in text


def test_reading_a_register_is_audited_with_whom_it_named(world, full_session) -> None:
    api(world.pat).get(one(full_session.pk))
    entry = AuditEntry.objects.get(action="view", actor_username="pat")
    assert entry.detail["shown"] == [str(world.rosa.pk)]
    assert entry.object_id == str(full_session.pk)


def test_an_administrator_reads_her_agencys_sessions_as_counts_only(world, full_session) -> None:
    register = api(world.ada).get(one(full_session.pk)).json()["register"]
    assert names(register) == set()
    assert register["others"] == 3


@pytest.mark.parametrize("who", ["eve", "oscar", "olive"])
def test_whoever_works_elsewhere_sees_no_session_and_asking_is_404_audited(
    world, full_session, who
) -> None:
    client = api(world.staff()[who])
    assert client.get(SESSIONS).json()["results"] == []
    response = client.get(one(full_session.pk))
    assert response.status_code == 404
    assert "Rosa" not in response.content.decode()
    assert AuditEntry.objects.filter(
        action="refused", actor_username=who, detail__object_id=str(full_session.pk)
    ).exists()


def test_the_list_counts_who_came_and_is_audited(world, full_session) -> None:
    rows = api(world.pat).get(SESSIONS).json()["results"]
    assert [(r["id"], r["attended"]) for r in rows] == [(str(full_session.pk), 3)]
    assert "Rosa" not in str(rows)
    entry = AuditEntry.objects.get(action="list", actor_username="pat")
    assert entry.detail["shown"] == [str(full_session.pk)]


def test_sessions_filter_by_who_came_only_among_women_one_reaches(world, full_session) -> None:
    empty = a_session(world, kind="group", topic="Budgeting")
    alice, bianca = api(world.alice), api(world.bianca)

    def ids(client: APIClient, **query: str) -> set[str]:
        response = client.get(SESSIONS, query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids(alice) == {str(full_session.pk), str(empty.pk)}
    assert ids(alice, participant=str(world.rosa.pk)) == {str(full_session.pk)}
    assert ids(alice, kind="group") == {str(empty.pk)}
    # Bianca does not reach Rosa: asking whether Rosa came finds nothing.
    assert ids(bianca, participant=str(world.rosa.pk)) == set()
    assert ids(bianca, enrolment=str(world.rosa_enrolment.pk)) == set()
    assert ids(bianca, participant=str(world.uma.pk)) == {str(full_session.pk)}
    assert alice.get(SESSIONS, {"held_on_after": "yesterday"}).status_code == 400


def test_the_list_takes_as_many_queries_for_twenty_as_for_one(
    world, django_assert_max_num_queries
) -> None:
    a_session(world, facilitators=[world.alice])
    client = api(world.alice)
    with CaptureQueriesContext(connection) as one_row:
        assert len(client.get(SESSIONS).json()["results"]) == 1
    for n in range(19):
        session = a_session(
            world,
            held_on=timezone.localdate() - datetime.timedelta(days=n),
            facilitators=[world.alice, world.pat],
        )
        mark_attendance(session, world.rosa_enrolment, by=world.alice)
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        assert len(client.get(SESSIONS).json()["results"]) == 20


# --- starting a session ------------------------------------------------------------------


def test_a_peer_mentor_starts_a_session(world) -> None:
    response = api(world.pat).post(
        SESSIONS,
        {
            "program": str(world.program.pk),
            "kind": "group",
            "held_on": timezone.localdate().isoformat(),
            "topic": "Safety planning",
            "facilitators": [str(world.pat.pk), str(world.alice.pk)],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    session = GroupSession.objects.get()
    assert session.topic == "Safety planning"
    assert set(session.facilitators.all()) == {world.pat, world.alice}
    assert AuditEntry.objects.filter(action="create", object_id=str(session.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"kind": "group", "topic": ""}, {"topic"}),
        ({"held_on": "2999-01-01"}, {"held_on"}),
        ({"kind": "party"}, {"kind"}),
        ({"facilitators": ["00000000-0000-0000-0000-000000000000"]}, {"facilitators"}),
        ({"program": "00000000-0000-0000-0000-000000000000"}, {"program"}),
    ],
)
def test_a_bad_session_is_refused_by_field_and_nothing_is_saved(world, changes, fields) -> None:
    body = {
        "program": str(world.program.pk),
        "kind": "drop_in",
        "held_on": timezone.localdate().isoformat(),
    }
    body.update(changes)
    response = api(world.alice).post(SESSIONS, body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()["errors"]) == fields
    assert not GroupSession.objects.exists()


def test_a_program_of_another_agency_is_not_one_to_start_a_session_in(world) -> None:
    body = {
        "program": str(world.other_program.pk),
        "kind": "drop_in",
        "held_on": timezone.localdate().isoformat(),
    }
    response = api(world.alice).post(SESSIONS, body, format="json")
    assert response.status_code == 400
    assert "program" in response.json()["errors"]
    assert not GroupSession.objects.exists()


@pytest.mark.parametrize("who", ["eve", "ada"])
def test_an_evaluator_or_an_administrator_takes_no_attendance(world, full_session, who) -> None:
    client = api(world.staff()[who])
    before = (GroupSession.objects.count(), Attendance.objects.count())
    responses = [
        client.post(
            SESSIONS,
            {
                "program": str(world.program.pk),
                "kind": "drop_in",
                "held_on": timezone.localdate().isoformat(),
            },
            format="json",
        ),
        client.post(
            one(full_session.pk, "attendance"),
            {"enrolment": str(world.rosa_enrolment.pk), "attended": False},
            format="json",
        ),
        client.post(one(full_session.pk, "anonymous"), {"change": 1}, format="json"),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert (GroupSession.objects.count(), Attendance.objects.count()) == before


# --- marking attendance ------------------------------------------------------------------


def test_a_peer_mentor_marks_her_mentee_and_takes_the_mark_back(world) -> None:
    session = a_session(world)
    client = api(world.pat)
    mark = {"enrolment": str(world.rosa_enrolment.pk), "attended": True}
    first = client.post(one(session.pk, "attendance"), mark, format="json")
    assert first.status_code == 200, first.content
    again = client.post(one(session.pk, "attendance"), mark, format="json")
    assert again.status_code == 200
    assert Attendance.objects.filter(session=session).count() == 1
    assert present(again.json()["register"]) == {"Rosa"}
    back = client.post(one(session.pk, "attendance"), {**mark, "attended": False}, format="json")
    assert present(back.json()["register"]) == set()
    assert not Attendance.objects.exists()


# Bianca may mark Rosa and Alice Uma: women of the session's program on another team
# (test_attendance_across_teams.py).
@pytest.mark.parametrize(("who", "whom"), [("pat", "tess"), ("pat", "uma"), ("alice", "vera")])
def test_marking_someone_out_of_reach_is_404_audited_and_marks_nothing(world, who, whom) -> None:
    session = a_session(world)
    enrolment = getattr(world, whom).enrolments.get()
    response = api(world.staff()[who]).post(
        one(session.pk, "attendance"), {"enrolment": str(enrolment.pk)}, format="json"
    )
    assert response.status_code == 404
    assert not Attendance.objects.exists()
    assert AuditEntry.objects.filter(
        action="refused", actor_username=who, detail__object_id=str(enrolment.pk)
    ).exists()


def test_a_bad_mark_is_refused_by_field(world) -> None:
    session = a_session(world)
    response = api(world.alice).post(
        one(session.pk, "attendance"), {"enrolment": "Rosa"}, format="json"
    )
    assert response.status_code == 400
    assert "enrolment" in response.json()["errors"]
    assert not Attendance.objects.exists()


def test_women_without_a_record_are_counted(world) -> None:
    session = a_session(world)
    client = api(world.pat)
    client.post(one(session.pk, "anonymous"), {"change": 1}, format="json")
    response = client.post(one(session.pk, "anonymous"), {"change": 1}, format="json")
    assert response.json()["register"]["anonymous"] == 2
    assert response.json()["anonymous_walk_ins"] == 2
    bad = client.post(one(session.pk, "anonymous"), {"change": 5}, format="json")
    assert bad.status_code == 400
    session.refresh_from_db()
    assert session.anonymous_walk_ins == 2

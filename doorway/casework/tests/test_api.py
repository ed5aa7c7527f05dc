"""Contacts in the API: reached through her enrolment, notes and goals for the care team
only, recorded and changed through the actions (changes with If-Match), reads audited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.audit.models import AuditEntry
from doorway.casework.actions import contact_version, record_contact
from doorway.casework.models import Contact
from doorway.conftest import World
from doorway.people.models import BreakGlass
from doorway.plans.tests.support import plan_for
from doorway.programs.models import FocusArea, KeyIngredient
from doorway.testing.factories import EnrolmentFactory, ParticipantFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

CONTACTS = "/api/v1/contacts/"
NOTE = "She talked about the court date and her sister's offer of a room."


def api(user: Any) -> APIClient:
    client = APIClient()
    signed_in(client, user)
    return client


def one(pk: Any) -> str:
    return f"{CONTACTS}{pk}/"


def today() -> str:
    return timezone.localdate().isoformat()


def area(world: World) -> FocusArea:
    return FocusArea.objects.filter(program=world.program).order_by("order")[0]


def counselling(world: World, enrolment: Any = None) -> Contact:
    enrolment = enrolment or world.rosa_enrolment
    return record_contact(
        enrolment,
        by=enrolment.case_manager,
        happened_on=timezone.localdate(),
        duration_minutes=45,
        kind="counselling",
        focus_areas=[area(world)],
        note=NOTE,
    )


def body(world: World, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "enrolment": str(world.rosa_enrolment.pk),
        "happened_on": today(),
        "duration_minutes": 30,
        "kind": "counselling",
        "focus_areas": [str(area(world).pk)],
        "note": NOTE,
    }
    values.update(changes)
    return values


def snapshot() -> tuple[object, ...]:
    rows = [
        (c.pk, c.happened_on, c.duration_minutes, c.kind, c.note, c.edited_at)
        for c in Contact.objects.order_by("pk")
    ]
    return (*rows, Contact.history.count())


def open_glass(world: World) -> None:
    BreakGlass.objects.create(
        user=world.ada,
        participant=world.rosa,
        reason="She asked for a copy of her record at the front desk.",
        expires_at=timezone.now() + datetime.timedelta(minutes=30),
    )


# --- reading ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "amira", "morgan"])
def test_the_care_team_lists_and_reads_her_contacts_with_notes_audited(world, who) -> None:
    contact = counselling(world)
    client = api(world.staff()[who])
    rows = client.get(CONTACTS).json()["results"]
    assert [r["id"] for r in rows] == [str(contact.pk)]
    assert rows[0]["note"] == NOTE
    assert rows[0]["goals"] == []
    entry = AuditEntry.objects.filter(action="list", actor_username=who).get()
    assert entry.detail["shown"] == [str(world.rosa.pk)]
    read = client.get(one(contact.pk))
    assert read.status_code == 200
    assert read["ETag"]
    assert AuditEntry.objects.filter(
        action="view", actor_username=who, object_id=str(contact.pk)
    ).exists()


@pytest.mark.parametrize("who", ["bianca", "olive", "oscar", "ada", "eve"])
def test_whoever_does_not_reach_her_sees_none_and_asking_for_one_is_404_audited(world, who) -> None:
    contact = counselling(world)
    client = api(world.staff()[who])
    assert client.get(CONTACTS).json()["results"] == []
    response = client.get(one(contact.pk))
    assert response.status_code == 404
    assert NOTE not in response.content.decode()
    assert AuditEntry.objects.filter(
        action="refused", actor_username=who, detail__object_id=str(contact.pk)
    ).exists()


def test_a_peer_mentor_sees_only_her_own_peer_contacts_without_notes_or_goals(world) -> None:
    theirs = counselling(world)
    client = api(world.pat)
    made = client.post(
        CONTACTS, body(world, kind="peer", note="Coffee", focus_areas=[]), format="json"
    )
    assert made.status_code == 201, made.content
    assert made.json()["note"] is None
    assert made.json()["goals"] is None
    rows = client.get(CONTACTS).json()["results"]
    assert [r["id"] for r in rows] == [made.json()["id"]]
    assert client.get(one(theirs.pk)).status_code == 404
    assert NOTE not in client.get(CONTACTS).content.decode()


def test_a_peer_mentor_records_peer_contacts_only_and_edits_none(world) -> None:
    client = api(world.pat)
    refused = client.post(CONTACTS, body(world), format="json")
    assert refused.status_code == 400
    assert "kind" in refused.json()["errors"]
    mine = client.post(CONTACTS, body(world, kind="peer", note=""), format="json").json()
    etag = api(world.alice).get(one(mine["id"]))["ETag"]
    before = snapshot()
    edit = client.patch(one(mine["id"]), {"duration_minutes": 5}, format="json", HTTP_IF_MATCH=etag)
    assert edit.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("who", ["bianca", "oscar"])
def test_recording_for_someone_out_of_reach_is_404_audited_and_saves_nothing(world, who) -> None:
    response = api(world.staff()[who]).post(CONTACTS, body(world), format="json")
    assert response.status_code == 404
    assert not Contact.objects.exists()
    assert AuditEntry.objects.filter(
        action="refused", actor_username=who, detail__object_id=str(world.rosa_enrolment.pk)
    ).exists()


@pytest.mark.parametrize("who", ["eve", "ada"])
def test_an_evaluator_or_an_administrator_records_no_contact(world, who) -> None:
    if who == "ada":
        open_glass(world)
    response = api(world.staff()[who]).post(CONTACTS, body(world), format="json")
    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_an_administrator_with_broken_glass_reads_notes_and_edits_nothing(world) -> None:
    contact = counselling(world)
    open_glass(world)
    client = api(world.ada)
    read = client.get(one(contact.pk))
    assert read.json()["note"] == NOTE
    assert "ETag" not in read
    etag = api(world.alice).get(one(contact.pk))["ETag"]
    before = snapshot()
    edit = client.patch(one(contact.pk), {"note": "x"}, format="json", HTTP_IF_MATCH=etag)
    assert edit.status_code == 403
    assert snapshot() == before


def test_contacts_filter_by_kind_date_and_participant(world) -> None:
    contact = counselling(world)
    other = counselling(world, world.tess.enrolments.get())
    client = api(world.alice)

    def ids(**query: str) -> set[str]:
        response = client.get(CONTACTS, query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids() == {str(contact.pk), str(other.pk)}
    assert ids(participant=str(world.rosa.pk)) == {str(contact.pk)}
    assert ids(enrolment=str(other.enrolment_id)) == {str(other.pk)}
    assert ids(kind="peer") == set()
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert ids(happened_on_before=yesterday) == set()
    assert str(contact.pk) in ids(happened_on_after=yesterday)
    assert client.get(CONTACTS, {"kind": "gossip"}).status_code == 400


def test_the_list_takes_as_many_queries_for_twenty_as_for_one(
    world, django_assert_max_num_queries
) -> None:
    counselling(world)
    client = api(world.alice)
    with CaptureQueriesContext(connection) as one_row:
        assert len(client.get(CONTACTS).json()["results"]) == 1
    for _ in range(19):
        person = ParticipantFactory(agency=world.agency, registered_by=world.alice)
        enrolment = EnrolmentFactory(
            participant=person, cycle=world.rosa_enrolment.cycle, case_manager=world.alice
        )
        counselling(world, enrolment)
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        assert len(client.get(CONTACTS).json()["results"]) == 20


# --- recording ---------------------------------------------------------------------------


def test_her_case_manager_records_a_contact_with_goals_and_key_ingredients(world) -> None:
    _, goals = plan_for(world, goals=1)
    ingredient = KeyIngredient.objects.create(program=world.program, slug="trust", name="Trust")
    response = api(world.alice).post(
        CONTACTS,
        body(world, goals=[str(goals[0].pk)], ingredients=[str(ingredient.pk)]),
        format="json",
    )
    assert response.status_code == 201, response.content
    contact = Contact.objects.get()
    assert list(contact.goals.all()) == goals
    assert list(contact.ingredients.all()) == [ingredient]
    assert response.json()["goals"] == [str(goals[0].pk)]
    assert AuditEntry.objects.filter(action="create", object_id=str(contact.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 601}, "duration_minutes"),
        ({"note": ""}, "note"),
        ({"happened_on": "2000-01-01"}, "happened_on"),
        ({"kind": "gossip"}, "kind"),
        ({"focus_areas": ["00000000-0000-0000-0000-000000000000"]}, "focus_areas"),
        ({"goals": ["00000000-0000-0000-0000-000000000000"]}, "goals"),
    ],
)
def test_a_bad_contact_is_refused_by_field_and_nothing_is_saved(world, changes, field) -> None:
    response = api(world.alice).post(CONTACTS, body(world, **changes), format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert not Contact.objects.exists()


def test_a_goal_of_another_woman_is_refused_like_one_that_does_not_exist(world) -> None:
    tess_enrolment = world.tess.enrolments.get()
    _, goals = plan_for(world, enrolment=tess_enrolment, goals=1)
    response = api(world.alice).post(CONTACTS, body(world, goals=[str(goals[0].pk)]), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["goals"] == ["Choose goals of her own plan only."]
    assert not Contact.objects.exists()


# --- changing: If-Match ------------------------------------------------------------------


def test_a_contact_changes_with_its_etag_and_keeps_its_earlier_version(world) -> None:
    contact = counselling(world)
    client = api(world.alice)
    etag = client.get(one(contact.pk))["ETag"]
    response = client.patch(
        one(contact.pk), {"duration_minutes": 60}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] != etag
    contact.refresh_from_db()
    assert contact.duration_minutes == 60
    assert contact.note == NOTE
    assert contact.history.count() == 2


def test_two_people_changing_the_same_contact_the_second_is_refused(world) -> None:
    contact = counselling(world)
    alice, amira = api(world.alice), api(world.amira)
    etag = alice.get(one(contact.pk))["ETag"]
    assert amira.get(one(contact.pk))["ETag"] == etag
    first = alice.patch(
        one(contact.pk), {"note": "Alice's note"}, format="json", HTTP_IF_MATCH=etag
    )
    assert first.status_code == 200
    second = amira.patch(
        one(contact.pk), {"note": "Amira's note"}, format="json", HTTP_IF_MATCH=etag
    )
    assert second.status_code == 412
    assert second["Content-Type"] == "application/problem+json"
    contact.refresh_from_db()
    assert contact.note == "Alice's note"


def test_the_etag_is_the_version_the_edit_page_carries(world) -> None:
    contact = counselling(world)
    etag = api(world.alice).get(one(contact.pk))["ETag"]
    assert etag == f'"{contact_version(contact)}"'


def test_a_peer_mentor_gets_no_version_of_a_contact_she_cannot_change(world) -> None:
    made = api(world.pat).post(
        CONTACTS, body(world, kind="peer", note="", focus_areas=[]), format="json"
    )
    assert "ETag" not in made
    assert "ETag" not in api(world.pat).get(one(made.json()["id"]))


def test_a_change_of_its_focus_areas_changes_the_etag(world) -> None:
    contact = counselling(world)
    client = api(world.alice)
    etag = client.get(one(contact.pk))["ETag"]
    contact.focus_areas.clear()
    assert client.get(one(contact.pk))["ETag"] != etag
    stale = client.patch(one(contact.pk), {"note": "Late"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412


def test_a_change_without_if_match_is_428_and_a_bad_one_400_both_changing_nothing(world) -> None:
    contact = counselling(world)
    client = api(world.alice)
    before = snapshot()
    missing = client.patch(one(contact.pk), {"duration_minutes": 60}, format="json")
    assert missing.status_code == 428
    etag = client.get(one(contact.pk))["ETag"]
    bad = client.patch(
        one(contact.pk), {"duration_minutes": 0, "note": " "}, format="json", HTTP_IF_MATCH=etag
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"duration_minutes", "note"}
    assert snapshot() == before

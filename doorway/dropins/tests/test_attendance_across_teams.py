"""At a drop-in, a woman of the same program on another team is found and her
attendance goes on her record (`permissions.markable`), shown by first name and code
only, and audited; a woman of another program or another agency is never found or
marked."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.dropins.actions import mark_attendance, start_session
from doorway.dropins.models import Attendance, GroupSession
from doorway.enrolments.models import Enrolment
from doorway.people.models import Participant
from doorway.testing.factories import (
    CycleFactory,
    EnrolmentFactory,
    ParticipantFactory,
    ProgramFactory,
)
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def a_session(world: World) -> GroupSession:
    return start_session(
        world.program, by=world.alice, kind="drop_in", held_on=timezone.localdate()
    )


def search(client, session: GroupSession, term: str) -> str:
    url = reverse("walk_in_search", args=[session.pk])
    return client.post(url, {"q": term}, HTTP_HX_REQUEST="true").content.decode()


def mark(client, session: GroupSession, enrolment: Enrolment, attended: str = "1"):
    url = reverse("attendance_mark", args=[session.pk])
    return client.post(url, {"enrolment": enrolment.pk, "attended": attended})


def in_another_program(world: World, name: str) -> Enrolment:
    """A woman of the same agency, in another of its programs, on Bianca's caseload."""
    program = ProgramFactory(agency=world.agency, name="Second program", slug="second")
    person = ParticipantFactory(
        preferred_name=name, agency=world.agency, registered_by=world.bianca
    )
    return EnrolmentFactory(
        participant=person, cycle=CycleFactory(program=program), case_manager=world.bianca
    )


def test_another_teams_woman_of_the_program_is_found_by_first_name_and_code(client, world):
    world.uma.preferred_name = "Uma Lark"
    world.uma.save()
    world.uma.refresh_name_index()
    session = a_session(world)
    signed_in(client, world.alice)
    found = search(client, session, "Um")
    assert world.uma.code not in found  # fewer than 3 letters: no name is matched by them
    found = search(client, session, "Uma")
    assert world.uma.code in found
    assert "Uma" in found
    assert "Lark" not in found  # out of her reach: the first word of the name only
    assert "on another team" in found
    searches = AuditEntry.objects.filter(action=Action.SEARCH, object_id=str(session.pk))
    assert sorted(e.detail["outside_reach"] for e in searches) == [[], [str(world.uma.pk)]]
    for entry in searches:
        assert "uma" not in entry.canonical().decode().lower()


def test_marking_her_puts_her_attendance_on_her_record_and_is_audited(client, world):
    session = a_session(world)
    uma = world.uma.enrolments.get()
    signed_in(client, world.alice)
    response = mark(client, session, uma)
    assert response.status_code == 302
    attendance = Attendance.objects.get(session=session, enrolment=uma)
    entry = AuditEntry.objects.filter(action=Action.CREATE, object_id=str(attendance.pk)).get()
    assert entry.actor_id == str(world.alice.pk)
    assert entry.participant_id == str(world.uma.pk)
    assert entry.detail["reached"] is False
    page = client.get(reverse("session_attendance", args=[session.pk]), follow=True)
    text = page.content.decode()
    assert f"{world.uma.code} is marked present" in text
    # From now on she is counted among the others, never named on the register.
    assert "and 1 other" in text
    # The mark can be taken back from the walk-in search, and that is audited too.
    assert "tap to take back" in search(client, session, "Uma")
    mark(client, session, uma, attended="0")
    assert not Attendance.objects.filter(enrolment=uma).exists()
    removed = AuditEntry.objects.filter(action=Action.CHANGE, participant_id=str(world.uma.pk))
    assert removed.get().detail["reached"] is False


def test_a_woman_of_another_program_of_the_agency_is_neither_found_nor_marked(client, world):
    other = in_another_program(world, "Umaima")
    session = a_session(world)
    signed_in(client, world.alice)
    assert other.participant.code not in search(client, session, "Uma")
    assert mark(client, session, other).status_code == 404
    assert not Attendance.objects.exists()
    assert AuditEntry.objects.filter(
        action=Action.REFUSED, actor_id=str(world.alice.pk), detail__object_id=str(other.pk)
    ).exists()
    with pytest.raises(PermissionDenied):
        mark_attendance(session, other, by=world.alice)
    # Her own case manager, who reaches her, still marks her as before.
    assert mark_attendance(session, other, by=world.bianca) is not None


def test_a_woman_of_another_agency_is_neither_found_nor_marked(client, world: World) -> None:
    session = a_session(world)
    vera = world.vera.enrolments.get()
    signed_in(client, world.alice)
    assert world.vera.code not in search(client, session, "Ver")
    assert mark(client, session, vera).status_code == 404
    with pytest.raises(PermissionDenied):
        mark_attendance(session, vera, by=world.alice)
    assert not Attendance.objects.exists()


def test_a_graduate_of_another_team_is_not_marked_through_the_program(client, world) -> None:
    # Only an open enrolment in the session's program counts: her closed one does not.
    person = ParticipantFactory(
        preferred_name="Ursa", agency=world.agency, registered_by=world.bianca
    )
    closed = EnrolmentFactory(
        participant=person,
        cycle=CycleFactory(program=world.program, name="Cycle 0"),
        case_manager=world.bianca,
        exit_reason="graduated",
        exited_on=timezone.localdate(),
    )
    session = a_session(world)
    signed_in(client, world.alice)
    assert person.code not in search(client, session, "Urs")
    assert mark(client, session, closed).status_code == 404


def test_a_peer_mentor_marks_only_the_women_assigned_to_her(client, world: World) -> None:
    session = a_session(world)
    signed_in(client, world.pat)
    assert world.uma.code not in search(client, session, "Uma")
    assert mark(client, session, world.uma.enrolments.get()).status_code == 404
    assert not Attendance.objects.exists()


def test_the_api_marks_her_by_the_same_rule(world: World) -> None:
    session = a_session(world)
    api = APIClient()
    signed_in(api, world.alice)
    url = f"/api/v1/sessions/{session.pk}/attendance/"
    uma = world.uma.enrolments.get()
    answer = api.post(url, {"enrolment": str(uma.pk)}, format="json")
    assert answer.status_code == 200
    register = answer.json()["register"]
    assert register["others"] == 1
    assert world.uma.code not in str(register)
    other = in_another_program(world, "Umaima")
    vera = world.vera.enrolments.get()
    for refused in (other, vera):
        assert api.post(url, {"enrolment": str(refused.pk)}, format="json").status_code == 404
    assert list(Attendance.objects.values_list("enrolment_id", flat=True)) == [uma.pk]
    assert Participant.objects.count() == 5

"""Starting sessions and taking attendance: the rules, who may mark whom, the audit."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.dropins.actions import count_anonymous, mark_attendance, start_session
from doorway.dropins.models import Attendance, GroupSession, SessionKind
from doorway.enrolments.models import Enrolment
from doorway.testing.factories import CycleFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def a_session(world: World, by=None, **kw: object) -> GroupSession:
    values: dict[str, Any] = {
        "kind": SessionKind.DROP_IN,
        "held_on": timezone.localdate(),
    }
    values.update(kw)
    return start_session(world.program, by=by or world.alice, **values)


def enrolment_of(participant) -> Enrolment:
    return participant.enrolments.get()


def test_a_case_manager_starts_a_session_with_facilitators(world: World) -> None:
    session = a_session(world, kind=SessionKind.GROUP, topic="Budgeting", facilitators=[world.pat])
    assert (session.kind, session.topic, session.created_by) == ("group", "Budgeting", world.alice)
    assert list(session.facilitators.all()) == [world.pat]
    entry = AuditEntry.objects.get(action="create", object_id=str(session.pk))
    assert entry.detail["fields"] == ["kind", "held_on", "topic", "facilitators"]


def test_a_session_refuses_a_future_date_a_group_without_topic_and_outside_facilitators(
    world: World,
) -> None:
    with pytest.raises(ValidationError) as refusal:
        a_session(
            world,
            kind=SessionKind.GROUP,
            held_on=timezone.localdate() + datetime.timedelta(days=1),
            facilitators=[world.oscar],
        )
    assert set(refusal.value.message_dict) == {"held_on", "topic", "facilitators"}
    assert GroupSession.objects.count() == 0


@pytest.mark.parametrize("who", ["eve", "ada", "oscar"])
def test_those_who_do_not_take_attendance_here_cannot_start_a_session(
    world: World, who: str
) -> None:
    with pytest.raises(PermissionDenied):
        a_session(world, by=world.staff()[who])
    assert GroupSession.objects.count() == 0


def test_marking_twice_is_harmless_and_taking_back_removes_the_mark(world: World) -> None:
    session = a_session(world)
    first = mark_attendance(session, world.rosa_enrolment, by=world.alice)
    again = mark_attendance(session, world.rosa_enrolment, by=world.alice)
    assert first == again
    assert Attendance.objects.count() == 1
    assert first is not None
    assert not first.walk_in
    mark_attendance(session, world.rosa_enrolment, by=world.alice, attended=False)
    mark_attendance(session, world.rosa_enrolment, by=world.alice, attended=False)
    assert Attendance.objects.count() == 0
    # A mark and its removal are changes about her, audited under her record.
    actions = list(
        AuditEntry.objects.filter(participant_id=str(world.rosa.pk))
        .exclude(action="view")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["create", "change"]


def test_a_peer_mentor_marks_her_mentee_and_nobody_else(world: World) -> None:
    session = a_session(world, by=world.pat)
    assert mark_attendance(session, world.rosa_enrolment, by=world.pat) is not None
    with pytest.raises(PermissionDenied):
        mark_attendance(session, enrolment_of(world.tess), by=world.pat)
    assert list(Attendance.objects.values_list("enrolment_id", flat=True)) == [
        world.rosa_enrolment.pk
    ]


def test_a_case_manager_marks_a_woman_of_her_program_on_another_team(world: World) -> None:
    # Uma is Bianca's: Alice does not reach her record, but she came to Alice's drop-in.
    session = a_session(world)
    attendance = mark_attendance(session, enrolment_of(world.uma), by=world.alice)
    assert attendance is not None
    entry = AuditEntry.objects.filter(action="create", object_id=str(attendance.pk)).get()
    assert entry.detail["reached"] is False


def test_an_administrator_never_marks_even_with_the_glass_broken(world: World) -> None:
    from doorway.people.actions import break_the_glass

    session = a_session(world)
    break_the_glass(world.rosa, by=world.ada, reason="Court order: checking attendance")
    with pytest.raises(PermissionDenied):
        mark_attendance(session, world.rosa_enrolment, by=world.ada)
    with pytest.raises(PermissionDenied):
        count_anonymous(session, by=world.ada, change=1)
    assert Attendance.objects.count() == 0


def test_a_woman_not_expected_at_the_session_is_recorded_as_a_walk_in(world: World) -> None:
    # Rosa graduated from an earlier cycle of the program and comes back to a drop-in.
    earlier = CycleFactory(program=world.program, name="Cycle 0")
    closed = EnrolmentFactory(
        participant=world.rosa,
        cycle=earlier,
        case_manager=world.alice,
        exit_reason="graduated",
        exited_on=timezone.localdate(),
    )
    session = a_session(world)
    attendance = mark_attendance(session, closed, by=world.alice)
    assert attendance is not None
    assert attendance.walk_in


def test_a_woman_of_another_agency_is_refused(world: World) -> None:
    session = a_session(world, by=world.morgan)
    vera = enrolment_of(world.vera)
    with pytest.raises(PermissionDenied):
        mark_attendance(session, vera, by=world.morgan)


def test_anonymous_walk_ins_are_counted_and_never_below_zero(world: World) -> None:
    session = a_session(world)
    count_anonymous(session, by=world.alice, change=1)
    count_anonymous(session, by=world.pat, change=1)
    assert session.anonymous_walk_ins == 2
    for _ in range(3):
        count_anonymous(session, by=world.alice, change=-1)
    session.refresh_from_db()
    assert session.anonymous_walk_ins == 0
    with pytest.raises(ValidationError):
        count_anonymous(session, by=world.alice, change=5)

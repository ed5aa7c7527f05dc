"""The demo's drop-ins go through the actions and are the same for the same seed."""

from __future__ import annotations

import random

import pytest

from doorway.conftest import World
from doorway.dropins.demo import add_sessions
from doorway.dropins.models import Attendance, GroupSession

pytestmark = pytest.mark.django_db


def test_demo_sessions_have_attendance_and_repeat_for_a_seed(world: World) -> None:
    enrolments = list(world.rosa_enrolment.cycle.enrolments.all())
    staff = [world.alice, world.amira, world.pat]
    sessions = add_sessions(random.Random(7), world.program, enrolments, staff)
    assert {s.kind for s in sessions} == {"drop_in", "group"}
    first = list(Attendance.objects.values_list("session__held_on", "enrolment_id"))
    assert first
    Attendance.objects.all().delete()
    GroupSession.objects.all().delete()
    add_sessions(random.Random(7), world.program, enrolments, staff)
    again = list(Attendance.objects.values_list("session__held_on", "enrolment_id"))
    assert sorted(first) == sorted(again)

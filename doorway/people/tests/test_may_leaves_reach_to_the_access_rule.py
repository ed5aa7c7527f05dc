"""`may()` says what a role may do; whether she reaches a participant or an enrolment is
the access rule's question (`doorway.enrolments.access`), which sits above people. Asked
about reach, `may()` refuses to answer rather than guess, so nothing in people reaches
back up for the rule."""

from __future__ import annotations

import pytest

from doorway.conftest import World
from doorway.enrolments.access import participants_visible_to
from doorway.enrolments.models import Enrolment
from doorway.people.capabilities import Action, may


def test_may_does_not_say_whether_a_case_manager_reaches_a_woman(world: World) -> None:
    assert world.rosa in participants_visible_to(world.alice)
    with pytest.raises(TypeError):
        may(world.alice, Action.RECORD_CONTACTS, world.rosa)


def test_may_does_not_say_whether_she_reaches_an_enrolment(world: World) -> None:
    assert Enrolment.objects.visible_to(world.alice).filter(pk=world.rosa_enrolment.pk).exists()
    with pytest.raises(TypeError):
        may(world.alice, Action.MOVE_PHASES, world.rosa_enrolment)


def test_an_administrator_is_still_asked_about_her_own_agencys_women(world: World) -> None:
    assert may(world.ada, Action.BREAK_GLASS, world.rosa)
    assert not may(world.ada, Action.BREAK_GLASS, world.vera)

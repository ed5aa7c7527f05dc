from __future__ import annotations

import datetime

import pytest

from doorway.conftest import World
from doorway.enrolments.access import participants_visible_to
from doorway.people.actions import find_likely_duplicates

pytestmark = pytest.mark.django_db


def test_the_same_name_in_her_own_caseload_is_shown_as_a_likely_duplicate(world: World) -> None:
    found = find_likely_duplicates(
        agency=world.agency, reached=participants_visible_to(world.alice), names=["rosa example"]
    )
    assert found.visible == [world.rosa]
    assert found.hidden_count == 0


def test_a_match_she_cannot_open_is_counted_but_not_shown(world: World) -> None:
    found = find_likely_duplicates(
        agency=world.agency, reached=participants_visible_to(world.alice), names=["Uma Example"]
    )
    assert found.visible == []
    assert found.hidden_count == 1
    assert found


def test_a_shared_first_name_alone_is_not_a_duplicate_unless_the_birth_date_matches(
    world: World,
) -> None:
    assert not find_likely_duplicates(
        agency=world.agency, reached=participants_visible_to(world.alice), names=["Rosa Different"]
    )
    found = find_likely_duplicates(
        agency=world.agency,
        reached=participants_visible_to(world.alice),
        names=["Rosa Different"],
        date_of_birth=world.rosa.date_of_birth,
    )
    assert found.visible == [world.rosa]


def test_another_agencys_participants_are_never_matched(world: World) -> None:
    # Vera (at the other agency) shares no one's birth date here but her own name.
    world.vera.date_of_birth = datetime.date(1975, 1, 2)
    world.vera.save()
    found = find_likely_duplicates(
        agency=world.agency,
        reached=participants_visible_to(world.alice),
        names=["Vera Example"],
        date_of_birth=datetime.date(1975, 1, 2),
    )
    assert not found


def test_a_first_name_alone_is_not_a_likely_duplicate(world: World) -> None:
    # Someone new who also goes by Rosa, with another surname and birth date.
    found = find_likely_duplicates(
        agency=world.agency,
        reached=participants_visible_to(world.alice),
        names=["Rosa", "Rosa Marchetti"],
        date_of_birth=datetime.date(2001, 1, 1),
    )
    assert not found

from __future__ import annotations

import pytest

from doorway.conftest import World
from doorway.enrolments.access import participants_visible_to
from doorway.enrolments.models import Enrolment

pytestmark = pytest.mark.django_db


def codes(user) -> set[str]:
    return {p.preferred_name for p in participants_visible_to(user)}


def test_a_case_manager_reaches_her_own_and_her_teams_caseload(world: World) -> None:
    assert codes(world.alice) == {"Rosa", "Tess"}


def test_a_case_manager_does_not_reach_another_teams_caseload(world: World) -> None:
    assert "Uma" not in codes(world.alice)
    assert codes(world.bianca) == {"Uma"}


def test_a_peer_mentor_reaches_only_the_participants_assigned_to_her(world: World) -> None:
    assert codes(world.pat) == {"Rosa"}


def test_a_program_manager_reaches_her_program_and_not_another_agencys(world: World) -> None:
    assert codes(world.morgan) == {"Rosa", "Tess", "Uma"}
    assert codes(world.olive) == {"Vera"}


def test_an_evaluator_reaches_no_identifiable_record(world: World) -> None:
    assert codes(world.eve) == set()


def test_an_administrator_reaches_nobody_without_breaking_the_glass(world: World) -> None:
    assert codes(world.ada) == set()


def test_a_deactivated_account_reaches_nobody(world: World) -> None:
    world.alice.is_active = False
    world.alice.save()
    assert codes(world.alice) == set()


def test_a_case_manager_in_no_team_reaches_her_own_caseload_only(world: World) -> None:
    world.alice.teams.clear()
    assert codes(world.alice) == {"Rosa"}
    assert codes(world.amira) == {"Tess"}


def test_a_case_manager_in_two_teams_reaches_both_teams_caseloads(world: World) -> None:
    world.alice.teams.add(world.bianca.teams.get())
    assert codes(world.alice) == {"Rosa", "Tess", "Uma"}
    # Her teammates in either team do not reach each other's through her.
    assert codes(world.amira) == {"Rosa", "Tess"}
    assert codes(world.bianca) == {"Rosa", "Uma"}


def test_a_case_manager_who_leaves_a_team_no_longer_reaches_it(world: World) -> None:
    visible = participants_visible_to(world.amira)
    world.amira.teams.clear()
    # The rule is read when the query runs, not when it was built.
    assert {p.preferred_name for p in visible} == {"Tess"}


def test_an_enrolment_is_listed_once_however_many_teams_share_it(world: World) -> None:
    world.alice.teams.add(world.bianca.teams.get())
    world.amira.teams.add(world.bianca.teams.get())
    enrolments = Enrolment.objects.visible_to(world.alice)
    assert enrolments.count() == len(set(enrolments.values_list("pk", flat=True))) == 3

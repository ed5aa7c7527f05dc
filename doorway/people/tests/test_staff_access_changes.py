"""Staff access changes only through `doorway.people.staff.actions`: nobody changes her own,
an administrator changes only her own agency's accounts, every change is audited with
before and after, and giving record access waits for a second administrator."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.people.models import AccessChangeRequest, AccessChangeStatus, Team, User
from doorway.people.roles import Role
from doorway.people.staff.actions import (
    AccessChangeRefused,
    access_of,
    approve_access_change,
    change_staff_access,
    decline_access_change,
)

pytestmark = pytest.mark.django_db

REASON = "Covering the north team while Amira is on leave"


def test_nobody_changes_her_own_access(world: World) -> None:
    before = access_of(world.ada)
    with pytest.raises(AccessChangeRefused):
        change_staff_access(
            world.ada,
            by=world.ada,
            reason=REASON,
            role=Role.PROGRAM_MANAGER,
            programs=[world.program],
        )
    with pytest.raises(AccessChangeRefused):
        change_staff_access(world.ada, by=world.ada, reason=REASON, is_demo_account=True)
    assert access_of(world.ada) == before
    assert not AccessChangeRequest.objects.exists()


def test_an_administrator_does_not_change_another_agencys_account(world: World) -> None:
    before = access_of(world.oscar)
    with pytest.raises(AccessChangeRefused):
        change_staff_access(world.oscar, by=world.ada, reason=REASON, is_active=False)
    assert access_of(world.oscar) == before


def test_programs_and_teams_of_another_agency_are_refused(world: World) -> None:
    before = access_of(world.bianca)
    with pytest.raises(ValidationError):
        change_staff_access(
            world.bianca, by=world.ada, reason=REASON, programs=[world.other_program]
        )
    with pytest.raises(ValidationError):
        change_staff_access(
            world.bianca, by=world.ada, reason=REASON, teams=[Team.objects.get(name="East")]
        )
    assert access_of(world.bianca) == before
    assert not AccessChangeRequest.objects.exists()


def test_other_roles_change_nobodys_access(world: World) -> None:
    before = access_of(world.bianca)
    for who in (world.morgan, world.alice, world.eve):
        with pytest.raises(AccessChangeRefused):
            change_staff_access(world.bianca, by=who, reason=REASON, is_active=False)
    assert access_of(world.bianca) == before


def test_a_change_needs_a_reason(world: World) -> None:
    before = access_of(world.bianca)
    with pytest.raises(ValidationError):
        change_staff_access(world.bianca, by=world.ada, reason="  because ", is_active=False)
    assert access_of(world.bianca) == before


def test_giving_record_access_waits_for_a_second_administrator(world: World, abe: User) -> None:
    north = Team.objects.get(name="North")
    before = access_of(world.bianca)
    pending = change_staff_access(world.bianca, by=world.ada, reason=REASON, teams=[north])
    assert pending is not None
    assert pending.status == AccessChangeStatus.PENDING
    # Nothing yet: bianca does not reach rosa's team.
    assert access_of(world.bianca) == before
    approve_access_change(pending, by=abe)
    assert access_of(world.bianca)["teams"] == [str(north.pk)]
    pending.refresh_from_db()
    assert pending.status == AccessChangeStatus.APPROVED
    assert pending.decided_by == abe
    entry = AuditEntry.objects.filter(action=Action.CHANGE, object_id=str(world.bianca.pk)).last()
    assert entry is not None
    assert entry.detail["access"] == "approved"
    assert entry.detail["before"]["teams"] == before["teams"]
    assert entry.detail["after"]["teams"] == [str(north.pk)]


@pytest.mark.parametrize(
    "change",
    [
        {"role": Role.PROGRAM_MANAGER},
        {"role": Role.ADMINISTRATOR},
        {"is_superuser": True},
        {"is_staff": True},
        {"is_demo_account": True},
    ],
)
def test_raising_privileges_waits_too(world: World, change: dict[str, object]) -> None:
    before = access_of(world.bianca)
    assert change_staff_access(world.bianca, by=world.ada, reason=REASON, **change) is not None
    assert access_of(world.bianca) == before


def test_the_one_who_asked_does_not_approve(world: World, abe: User) -> None:
    pending = change_staff_access(
        world.bianca, by=world.ada, reason=REASON, role=Role.PROGRAM_MANAGER
    )
    assert pending is not None
    before = access_of(world.bianca)
    with pytest.raises(AccessChangeRefused):
        approve_access_change(pending, by=world.ada)
    assert access_of(world.bianca) == before
    pending.refresh_from_db()
    assert pending.status == AccessChangeStatus.PENDING


def test_the_account_owner_does_not_approve_her_own_elevation(world: World, abe: User) -> None:
    pending = change_staff_access(abe, by=world.ada, reason=REASON, is_superuser=True)
    assert pending is not None
    with pytest.raises(AccessChangeRefused):
        approve_access_change(pending, by=abe)
    abe.refresh_from_db()
    assert not abe.is_superuser


def test_an_administrator_of_another_agency_does_not_approve(world: World, otto: User) -> None:
    pending = change_staff_access(
        world.bianca, by=world.ada, reason=REASON, role=Role.PROGRAM_MANAGER
    )
    assert pending is not None
    with pytest.raises(AccessChangeRefused):
        approve_access_change(pending, by=otto)
    world.bianca.refresh_from_db()
    assert world.bianca.role == Role.CASE_MANAGER


def test_a_declined_change_never_takes_effect(world: World, abe: User) -> None:
    pending = change_staff_access(
        world.bianca, by=world.ada, reason=REASON, role=Role.PROGRAM_MANAGER
    )
    assert pending is not None
    decline_access_change(pending, by=abe)
    with pytest.raises(ValidationError):
        approve_access_change(pending, by=abe)
    world.bianca.refresh_from_db()
    assert world.bianca.role == Role.CASE_MANAGER


def test_an_approval_after_the_account_changed_is_refused(world: World, abe: User) -> None:
    pending = change_staff_access(
        world.bianca, by=world.ada, reason=REASON, role=Role.PROGRAM_MANAGER
    )
    assert pending is not None
    world.bianca.is_active = False
    world.bianca.save()
    with pytest.raises(ValidationError):
        approve_access_change(pending, by=abe)
    world.bianca.refresh_from_db()
    assert world.bianca.role == Role.CASE_MANAGER


def test_narrowing_access_takes_effect_at_once_and_is_audited(world: World) -> None:
    before = access_of(world.alice)
    assert (
        change_staff_access(world.alice, by=world.ada, reason=REASON, teams=[], is_active=False)
        is None
    )
    world.alice.refresh_from_db()
    after = access_of(world.alice)
    assert after["teams"] == []
    assert not after["is_active"]
    entry = AuditEntry.objects.filter(action=Action.CHANGE, object_id=str(world.alice.pk)).get()
    assert entry.detail["before"] == before
    assert entry.detail["after"] == after

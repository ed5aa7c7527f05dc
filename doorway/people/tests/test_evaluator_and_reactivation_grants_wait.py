"""Giving an evaluator's reach, any role to a role-less account, or reactivating an
account, waits for a second administrator.

The attack: one administrator creates an account (so she knows its first password)
and makes it an evaluator, which reaches every program of her agency, the research
export included; or she gives a role-less account a role, or reactivates a role-less
or evaluator account. Each took effect at once; each must wait, and change nothing
until another administrator approves it."""

from __future__ import annotations

import pytest

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.people.capabilities import Action, programs_for
from doorway.people.models import AccessChangeRequest, AccessChangeStatus, User
from doorway.people.roles import Role
from doorway.people.staff.actions import access_of, approve_access_change, change_staff_access
from doorway.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

REASON = "She joins the evaluation team from the university next month"


def _account(world: World, role: str, *, is_active: bool = True) -> User:
    """An account ada created herself (and whose first password she knows)."""
    return UserFactory(username="newcomer", role=role, agency=world.agency, is_active=is_active)


def _waits(world: World, account: User, **changes: object) -> AccessChangeRequest:
    before = access_of(account)
    entries = AuditEntry.objects.count()
    pending = change_staff_access(account, by=world.ada, reason=REASON, **changes)
    assert isinstance(pending, AccessChangeRequest)
    assert pending.status == AccessChangeStatus.PENDING
    account = User.objects.get(pk=account.pk)
    assert access_of(account) == before
    # Only the request is on the log, not a change of the account.
    assert AuditEntry.objects.count() == entries + 1
    assert AuditEntry.objects.latest("pk").detail["access"] == "requested"
    return pending


@pytest.mark.parametrize(
    "role",
    ["", Role.CASE_MANAGER, Role.PEER_MENTOR, Role.PROGRAM_MANAGER, Role.ADMINISTRATOR],
)
def test_making_an_account_an_evaluator_waits_for_a_second_administrator(
    world: World, role: str
) -> None:
    account = _account(world, role)
    _waits(world, account, role=Role.EVALUATOR)
    account.refresh_from_db()
    assert not programs_for(account, Action.TAKE_RESEARCH_EXPORT).exists()
    assert not programs_for(account, Action.SEE_EVALUATION).filter(pk=world.program.pk).exists()


def test_an_approved_move_to_evaluator_takes_effect(world: World) -> None:
    abe = UserFactory(username="abe", role=Role.ADMINISTRATOR, agency=world.agency)
    account = _account(world, "")
    pending = _waits(world, account, role=Role.EVALUATOR)
    approve_access_change(pending, by=abe)
    account.refresh_from_db()
    assert account.role == Role.EVALUATOR


@pytest.mark.parametrize("role", [value for value in Role.values if value != Role.EVALUATOR])
def test_giving_a_role_less_account_any_role_waits_for_a_second_administrator(
    world: World, role: str
) -> None:
    _waits(world, _account(world, ""), role=role)


@pytest.mark.parametrize("role", ["", Role.EVALUATOR])
def test_reactivating_a_role_less_or_evaluator_account_waits_for_a_second_administrator(
    world: World, role: str
) -> None:
    _waits(world, _account(world, role, is_active=False), is_active=True)

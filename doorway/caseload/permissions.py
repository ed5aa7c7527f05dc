"""Who may do what on the caseload: one-line delegations to the capability rule. Which
women's items she may touch is the access rule's (`access_enrolment`)."""

from __future__ import annotations

from doorway.people.capabilities import Action, may
from doorway.people.models import User


def snoozes(user: User) -> bool:
    """Snooze an item of a record she reaches, or lift a snooze: those who work from a
    caseload."""
    return may(user, Action.SEE_CASELOADS)


def clears_old_closing_notes(user: User) -> bool:
    return may(user, Action.BALANCE_CASELOADS)

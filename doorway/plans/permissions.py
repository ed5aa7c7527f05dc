"""Who may do what with her plan, for someone who already reaches the enrolment
(`access_enrolment` decides that). A plan holds her words and private notes: a peer
mentor never reads it; an administrator reads it only through break-the-glass and never
writes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from doorway.people.capabilities import Action, may

if TYPE_CHECKING:
    from doorway.people.models import User


def reads_plans(user: User) -> bool:
    # An administrator reaches an enrolment only while her glass is broken.
    return may(user, Action.READ_PLANS)


def writes_plans(user: User) -> bool:
    return may(user, Action.WRITE_PLANS)

"""Who may do what with her plan, for someone who already reaches the enrolment
(`access_enrolment` decides that). A plan holds her words and private notes: a peer
mentor never reads it; an administrator reads it only through break-the-glass and never
writes. Printing her plan for her lets it leave Doorway on paper (a disclosure, on her
log): her care team and her program's managers do, as they give her her own copy; an
administrator who broke the glass reads the plan but never prints it."""

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


def prints_her_plan(user: User) -> bool:
    return may(user, Action.GIVE_HER_COPY)

"""Who may do what with drop-ins and groups. Which women a person sees on a register is
the one access rule (`enrolments_visible_to`); this only says which programs' sessions
she works with and whether she takes attendance.

- case managers, program managers and peer mentors start sessions and take attendance
  in the programs they work in (a peer mentor marks only the women assigned to her,
  because those are the only ones she reaches);
- an administrator reads her agency's sessions (dates, topics, counts; names only of
  women she reaches through break-the-glass) and never writes;
- an evaluator has no register at all: the pages answer 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from doorway.people import capabilities
from doorway.people.capabilities import Action, may
from doorway.programs.models import Program

if TYPE_CHECKING:
    from doorway.people.models import User

# Staff who may be marked present at a session: those who take attendance.
TAKERS = capabilities.roles_that_may(Action.TAKE_ATTENDANCE)


def programs_for(user: User) -> QuerySet[Program]:
    """The programs whose sessions she sees."""
    return capabilities.programs_for(user, Action.SEE_SESSIONS)


def takes_attendance(user: User) -> bool:
    return may(user, Action.TAKE_ATTENDANCE)

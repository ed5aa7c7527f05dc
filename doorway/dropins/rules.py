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

from typing import Any

from django.db.models import QuerySet

from doorway.people.roles import Role
from doorway.programs.models import Program

TAKERS = {Role.CASE_MANAGER, Role.PROGRAM_MANAGER, Role.PEER_MENTOR}


def programs_for(user: Any) -> QuerySet[Program]:
    """The programs whose sessions she sees."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Program.objects.none()
    if user.role in TAKERS:
        return user.programs.all()
    if user.role == Role.ADMINISTRATOR and user.agency_id:
        return Program.objects.filter(agency=user.agency_id)
    return Program.objects.none()


def takes_attendance(user: Any) -> bool:
    return user.role in TAKERS

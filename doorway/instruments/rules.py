"""Who may do what with assessments, for someone who already reaches the enrolment
(`access_enrolment` decides that). Assessments are clinical: a peer mentor never sees
one; an administrator reads them only through break-the-glass and never writes.
Instruments themselves are configured by program managers (their programs) and
administrators."""

from __future__ import annotations

from typing import Any

from doorway.people.roles import Role

WRITERS = {Role.CASE_MANAGER, Role.PROGRAM_MANAGER}


def reads_assessments(user: Any) -> bool:
    # An administrator reaches an enrolment only while her glass is broken.
    return user.role in {Role.CASE_MANAGER, Role.PROGRAM_MANAGER, Role.ADMINISTRATOR}


def records_assessments(user: Any) -> bool:
    return user.role in WRITERS


def decides_eligibility(user: Any) -> bool:
    return user.role in WRITERS


def configures_instruments(user: Any) -> bool:
    return user.role in {Role.PROGRAM_MANAGER, Role.ADMINISTRATOR}


def instrument_programs(user: Any) -> Any:
    """The programs whose instruments `user` configures."""
    from doorway.programs.models import Program

    if not user.is_authenticated or not user.is_active or not configures_instruments(user):
        return Program.objects.none()
    if user.role == Role.ADMINISTRATOR:
        return Program.objects.all()
    return Program.objects.filter(staff=user)

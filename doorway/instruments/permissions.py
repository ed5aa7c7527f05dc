"""Who may do what with assessments, for someone who already reaches the enrolment
(`access_enrolment` decides that). Assessments are clinical: a peer mentor never sees
one; an administrator reads them only through break-the-glass and never writes.
Instruments themselves are configured by program managers (their programs) and
administrators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from doorway.people.capabilities import Action, may, programs_for
from doorway.programs.models import Program

if TYPE_CHECKING:
    from doorway.people.models import User


def reads_assessments(user: User) -> bool:
    # An administrator reaches an enrolment only while her glass is broken.
    return may(user, Action.READ_ASSESSMENTS)


def records_assessments(user: User) -> bool:
    return may(user, Action.RECORD_ASSESSMENTS)


def decides_eligibility(user: User) -> bool:
    return may(user, Action.DECIDE_ELIGIBILITY)


def configures_instruments(user: User) -> bool:
    return may(user, Action.CONFIGURE_INSTRUMENTS)


def instrument_programs(user: User) -> QuerySet[Program]:
    """The programs whose instruments `user` configures (an administrator: her agency's)."""
    return programs_for(user, Action.CONFIGURE_INSTRUMENTS)

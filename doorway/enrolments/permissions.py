"""Who may do what to an enrolment she already reaches (`access_enrolment` decides
that): one-line delegations to the capability rule, narrowed by the enrolment where the
rule says "her own"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from doorway.people.capabilities import Action, may
from doorway.people.roles import Role

if TYPE_CHECKING:
    from doorway.enrolments.models import Enrolment
    from doorway.people.models import User


def undoes_moves(user: User, enrolment: Enrolment) -> bool:
    """Her case manager, who made the move or knows why, or the program manager; not a
    teammate covering for a day."""
    if not may(user, Action.UNDO_PHASE_MOVES):
        return False
    return user.role == Role.PROGRAM_MANAGER or enrolment.case_manager_id == user.pk

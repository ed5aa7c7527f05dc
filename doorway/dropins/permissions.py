"""Who may do what with drop-ins and groups. Which women a person sees on a register is
the one access rule (`enrolments_visible_to`); this only says which programs' sessions
she works with and whether she takes attendance.

- case managers, program managers and peer mentors start sessions and take attendance
  in the programs they work in (a peer mentor marks only the women assigned to her,
  because those are the only ones she reaches);
- an administrator reads her agency's sessions (dates, topics, counts; names only of
  women she reaches through break-the-glass) and never writes;
- an evaluator has no register at all: the pages answer 404.

Whom she may mark present at a session is one rule, `markable` (pages and API alike):
the women she reaches, and, for a case manager or program manager, any woman of the
session's own program, whatever her team, so that her attendance reaches her record
instead of being an anonymous walk-in. She is then shown by code and first name only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from doorway.audit.refusal import refuse
from doorway.enrolments.models import Enrolment
from doorway.people import capabilities
from doorway.people.capabilities import Action, may
from doorway.people.roles import Role
from doorway.programs.models import Program

if TYPE_CHECKING:
    from doorway.dropins.models import GroupSession
    from doorway.people.models import User

# Staff who may be marked present at a session: those who take attendance.
TAKERS = capabilities.roles_that_may(Action.TAKE_ATTENDANCE)


def programs_for(user: User) -> QuerySet[Program]:
    """The programs whose sessions she sees."""
    return capabilities.programs_for(user, Action.SEE_SESSIONS)


def takes_attendance(user: User) -> bool:
    return may(user, Action.TAKE_ATTENDANCE)


# Who may mark a woman of the session's program whom she does not reach (another team's).
# Not a peer mentor: she works with the women assigned to her, and no one else's record
# is hers to touch.
WHOLE_PROGRAM = frozenset({Role.CASE_MANAGER, Role.PROGRAM_MANAGER})


def markable(user: User, session: GroupSession) -> QuerySet[Enrolment]:
    """The enrolments `user` may mark present at `session`: those she reaches in any
    program of the session's agency (a graduate coming back, a woman of another of its
    programs), and, if her role is in WHOLE_PROGRAM, every open enrolment in the
    session's own program. Never a woman of another program she does not reach, nor of
    another agency. Nothing unless she takes attendance in the session's program."""
    if not takes_attendance(user) or not programs_for(user).filter(pk=session.program_id):
        return Enrolment.objects.none()
    mine = Enrolment.objects.visible_to(user).filter(
        cycle__program__agency=session.program.agency_id
    )
    if user.role not in WHOLE_PROGRAM:
        return mine
    same_program = Q(exit_reason="", cycle__program=session.program_id)
    return mine | Enrolment.objects.filter(same_program)


def reaches(user: User, enrolment: Enrolment) -> bool:
    """Whether she reaches the woman's record (and so sees her by name), as opposed to
    marking her through `markable` alone."""
    return Enrolment.objects.visible_to(user).filter(pk=enrolment.pk).exists()


def access_markable(request: HttpRequest, session: GroupSession, enrolment_id: Any) -> Enrolment:
    """The enrolment if `markable` lets her mark it at this session; otherwise 404,
    audited, as for any record out of reach."""
    user = request.user
    enrolment = (
        markable(user, session)  # type: ignore[arg-type]  # a signed-in page or API call
        .select_related("participant", "cycle__program")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        refuse(request, object_id=enrolment_id, object_type="enrolments.Enrolment")
    return enrolment

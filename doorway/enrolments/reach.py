"""The one access rule: which enrolments, and so which participants, a person can reach.

Pages, exports, the API and the admin all go through `Enrolment.objects.visible_to(user)`
and `participants_visible_to(user)` (`doorway.enrolments.access`); none of them
re-implements it. The rule is about enrolments (a participant is reached through one of
hers), so it lives here, above people and programs, whose records it reads, and below
everything that asks it. What a person may *do* with a record she can reach is in `roles`.

- case manager: enrolments whose case manager is herself or a member of one of her
  teams (CTI teams cover for each other and review caseloads together);
- peer mentor: open enrolments she is assigned to as peer mentor;
- program manager: enrolments in the programs she supervises;
- evaluator: nothing identifiable, ever;
- administrator: only participants for whom she has broken the glass, while it lasts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from doorway.people.models import BreakGlass, Team, User
from doorway.people.roles import Role
from doorway.programs.models import Cycle

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone


def enrolment_rule(user: Someone) -> Q | None:
    """A filter on Enrolment for what `user` reaches, or None for nothing at all.

    Each branch is one indexed column of the enrolment compared with a small set (her
    id, or a subquery of a few ids), never an OR across joins: so the database starts
    from her few enrolments through an index instead of testing every enrolment, and a
    row is never repeated (no join to a many-valued relation)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.role == Role.CASE_MANAGER:
        return Q(case_manager__in=case_managers_covered_by(user))
    if user.role == Role.PEER_MENTOR:
        return Q(peer_mentor=user, exit_reason="")
    if user.role == Role.PROGRAM_MANAGER:
        return Q(cycle__in=Cycle.objects.filter(program__in=user.programs.all()).values("pk"))
    if user.role == Role.ADMINISTRATOR:
        return Q(participant__in=_broken_glass(user))
    return None


# The roles `enrolment_rule` gives a rule to (one branch each).
REACHING_ROLES = frozenset(
    {Role.CASE_MANAGER, Role.PEER_MENTOR, Role.PROGRAM_MANAGER, Role.ADMINISTRATOR}
)


def reaches_records(user: Someone) -> bool:
    """Whether `enrolment_rule(user)` is a rule, not None, told without making its
    subqueries: every signed-in page asks it, for the search box in the menu."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.role in REACHING_ROLES


def case_managers_covered_by(user: User) -> QuerySet[Any]:
    """The ids of the case managers whose caseloads `user` shares: herself and every
    member of one of her teams (a subquery, read when the query runs).

    A UNION rather than `pk=user | teammates`: PostgreSQL estimates an OR with a
    subquery at half the table and then reads every enrolment; a UNION it estimates
    at the handful of ids it is, and reads their enrolments through the index."""
    membership = Team.members.through.objects
    her_teams = membership.filter(user=user.pk).values("team_id")
    teammates = membership.filter(team_id__in=her_teams).values("user_id")
    herself = User.objects.filter(pk=user.pk).values("pk")
    return herself.union(teammates)


def _broken_glass(user: User) -> QuerySet[Any]:
    return BreakGlass.objects.filter(user=user, expires_at__gt=timezone.now()).values("participant")

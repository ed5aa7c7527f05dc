"""The one access rule: which enrolments, and so which participants, a person can reach.

Pages, exports, the API and the admin all go through `visible_to(user)`; none of them
re-implements it. What a person may *do* with a record she can reach is in `roles`.

- case manager: enrolments whose case manager is herself or a member of one of her
  teams (CTI teams cover for each other and review caseloads together);
- peer mentor: open enrolments she is assigned to as peer mentor;
- program manager: enrolments in the programs she supervises;
- evaluator: nothing identifiable, ever;
- administrator: only participants for whom she has broken the glass, while it lasts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.people.roles import Role

if TYPE_CHECKING:
    from doorway.enrolments.models import Enrolment
    from doorway.people.models import Participant, ParticipantQuerySet, User


def enrolment_rule(user: Any) -> Q | None:
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
        from doorway.programs.models import Cycle

        return Q(cycle__in=Cycle.objects.filter(program__in=user.programs.all()).values("pk"))
    if user.role == Role.ADMINISTRATOR:
        return Q(participant__in=_broken_glass(user))
    return None


def case_managers_covered_by(user: User) -> QuerySet[Any]:
    """The ids of the case managers whose caseloads `user` shares: herself and every
    member of one of her teams (a subquery, read when the query runs).

    A UNION rather than `pk=user | teammates`: PostgreSQL estimates an OR with a
    subquery at half the table and then reads every enrolment; a UNION it estimates
    at the handful of ids it is, and reads their enrolments through the index."""
    from doorway.people.models import Team, User

    membership = Team.members.through.objects
    her_teams = membership.filter(user=user.pk).values("team_id")
    teammates = membership.filter(team_id__in=her_teams).values("user_id")
    herself = User.objects.filter(pk=user.pk).values("pk")
    return herself.union(teammates)


def _broken_glass(user: User) -> QuerySet[Any]:
    from doorway.people.models import BreakGlass

    return BreakGlass.objects.filter(user=user, expires_at__gt=timezone.now()).values("participant")


def enrolments_visible_to(queryset: QuerySet[Enrolment], user: Any) -> QuerySet[Enrolment]:
    rule = enrolment_rule(user)
    if rule is None:
        return queryset.none()
    # The rule joins no many-valued relation, so it filters the rows directly.
    return queryset.filter(rule)


def participants_visible_to(queryset: ParticipantQuerySet, user: Any) -> ParticipantQuerySet:
    rule = enrolment_rule(user)
    if rule is None:
        return queryset.none()
    from doorway.enrolments.models import Enrolment

    return queryset.filter(Exists(Enrolment.objects.filter(rule, participant=OuterRef("pk"))))


def access_participant(request: HttpRequest, participant_id: Any) -> Participant:
    """The participant if the signed-in person may reach her; otherwise 404, audited.

    Out-of-reach and non-existent records answer alike, so that nobody can learn that
    a record exists by asking for it."""
    from doorway.people.models import Participant

    participant = (
        Participant.objects.visible_to(request.user).filter(pk=participant_id).first()  # type: ignore[arg-type]
    )
    if participant is None:
        refuse(request, participant_id=participant_id, object_type="people.Participant")
    return participant


def access_enrolment(request: HttpRequest, enrolment_id: Any) -> Enrolment:
    from doorway.enrolments.models import Enrolment

    enrolment = (
        Enrolment.objects.visible_to(request.user)  # type: ignore[arg-type]
        .select_related("participant", "cycle__program", "current_phase")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        refuse(request, object_id=enrolment_id, object_type="enrolments.Enrolment")
    return enrolment


def access_part[M: Model](
    request: HttpRequest, enrolment: Enrolment, queryset: QuerySet[M], object_id: Any
) -> M:
    """The row `object_id` of `queryset`, a record of `enrolment` (which the caller has
    already reached through `access_enrolment`); otherwise 404, audited like her record.

    `queryset` must already be narrowed to that enrolment (or to her): this only finds
    the row in it, so that a record of another woman answers like one that never was."""
    row = queryset.filter(pk=object_id).first()
    if row is None:
        refuse(
            request,
            participant_id=enrolment.participant_id,
            object_id=object_id,
            object_type=queryset.model._meta.label,
        )
    assert row is not None
    return row


def refuse(
    request: HttpRequest,
    *,
    participant_id: Any = None,
    object_id: Any = None,
    object_type: str = "",
) -> NoReturn:
    """Record the refused attempt, then answer 404."""
    record(
        Action.REFUSED,
        request=request,
        participant=participant_id,
        detail={"object_type": object_type, "object_id": str(object_id or participant_id)},
    )
    raise Http404("No such record.")

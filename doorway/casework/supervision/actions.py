"""Team supervision and caseload review: who may take part, recording a session and the
participants reviewed with the decisions taken. Decisions are clinical: encrypted, read
by the care team only, and each reader sees only the reviews of enrolments she reaches.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.casework.models import SupervisionReview, SupervisionSession
from doorway.enrolments.models import Enrolment
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may, programs_for
from doorway.people.models import Team, User
from doorway.people.roles import Role

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone

# --- who may do what -------------------------------------------------------------------


def takes_part_in_supervision(user: Someone) -> bool:
    """Case managers (their teams) and program managers (teams of their programs' staff).
    Peer mentors never read decisions; evaluators and administrators are not in it."""
    return may(user, Can.TAKE_PART_IN_SUPERVISION)


def teams_for(user: User) -> QuerySet[Team]:
    if not takes_part_in_supervision(user):
        return Team.objects.none()
    if user.role == Role.CASE_MANAGER:
        memberships = Team.members.through.objects.filter(user=user)
        return Team.objects.filter(pk__in=memberships.values("team"))
    staff_of_programs = User.objects.filter(
        teams=OuterRef("pk"), programs__in=programs_for(user, Can.TAKE_PART_IN_SUPERVISION)
    )
    return Team.objects.filter(agency=user.agency_id).filter(Exists(staff_of_programs))


def staff_for(team: Team) -> QuerySet[User]:
    """Who may lead or attend: the agency's active workers and managers."""
    return User.objects.filter(
        agency=team.agency_id,
        is_active=True,
        role__in=[Role.CASE_MANAGER, Role.PROGRAM_MANAGER, Role.PEER_MENTOR],
    ).order_by("first_name", "last_name", "username")


def reviewable_for(session: SupervisionSession, user: Someone) -> QuerySet[Enrolment]:
    """Enrolments of the team's caseloads that she reaches and that this session has not
    reviewed yet."""
    team_members = Team.members.through.objects.filter(team=session.team_id).values("user")
    return (
        Enrolment.objects.visible_to(user)
        .filter(case_manager__in=team_members)
        .exclude(supervision_reviews__session=session)
        .select_related("participant", "current_phase", "case_manager")
        .order_by("participant__code")
    )


def reviews_visible_to(
    reviews: QuerySet[SupervisionReview], user: Someone
) -> QuerySet[SupervisionReview]:
    """Only the reviews of enrolments she reaches (the one access rule, on enrolments)."""
    if not takes_part_in_supervision(user):
        return reviews.none()
    return reviews.filter(enrolment__in=Enrolment.objects.visible_to(user).values("pk"))


def sessions_for_page(team: Team, user: Someone) -> QuerySet[SupervisionSession]:
    visible = Enrolment.objects.visible_to(user).values("pk")
    return (
        SupervisionSession.objects.filter(team=team)
        .select_related("led_by")
        .prefetch_related("attendees")
        .annotate(reviewed=Count("reviews", filter=Q(reviews__enrolment__in=visible)))
        .order_by("-held_on", "-recorded_at")
    )


# --- writing -----------------------------------------------------------------------------


def _check_team(team: Team, by: User) -> None:
    if not takes_part_in_supervision(by):
        raise PermissionDenied("Your role does not record supervision.")
    if not teams_for(by).filter(pk=team.pk).exists():
        raise PermissionDenied("This is not one of your teams.")


@transaction.atomic
def record_session(
    team: Team,
    *,
    by: User,
    held_on: datetime.date | None,
    led_by: User | None,
    attendees: Iterable[User] = (),
) -> SupervisionSession:
    _check_team(team, by)
    people = list(attendees)
    allowed = set(staff_for(team).values_list("pk", flat=True))
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = _("Give the date of the session.")
    elif held_on > timezone.localdate():
        errors["held_on"] = _("A session cannot be dated in the future.")
    if led_by is None or led_by.pk not in allowed:
        errors["led_by"] = _("Choose who led the session among the agency's staff.")
    if any(p.pk not in allowed for p in people):
        errors["attendees"] = _("Choose attendees among the agency's staff.")
    if errors:
        raise ValidationError(errors)
    assert held_on is not None
    assert led_by is not None
    session = SupervisionSession.objects.create(
        team=team, held_on=held_on, led_by=led_by, recorded_by=by
    )
    # Whoever led it was there.
    session.attendees.set({p.pk: p for p in [*people, led_by]}.values())
    record(
        Action.CREATE,
        actor=by,
        subject=session,
        detail={"fields": ["held_on", "led_by", "attendees"], "team": str(team.pk)},
    )
    return session


@transaction.atomic
def add_review(
    session: SupervisionSession, *, by: User, enrolment: Enrolment | None, decisions: str
) -> SupervisionReview:
    """One participant reviewed, with the decisions taken. Only an enrolment of the
    team's caseloads that the recorder herself reaches."""
    _check_team(session.team, by)
    decisions = decisions.strip()
    errors: dict[str, str] = {}
    if enrolment is None:
        errors["enrolment"] = _("Choose the participant reviewed.")
    elif not reviewable_for(session, by).filter(pk=enrolment.pk).exists():
        if session.reviews.filter(enrolment=enrolment).exists():
            errors["enrolment"] = _("She has already been reviewed in this session.")
        else:
            raise PermissionDenied("She is not in your reach or not in this team's caseloads.")
    if not decisions:
        errors["decisions"] = _("Write the decisions taken.")
    if errors:
        raise ValidationError(errors)
    assert enrolment is not None
    review = SupervisionReview.objects.create(
        session=session, enrolment=enrolment, decisions=decisions, recorded_by=by
    )
    record(
        Action.CREATE,
        actor=by,
        participant=enrolment.participant_id,
        subject=review,
        detail={"fields": ["enrolment", "decisions"], "session": str(session.pk)},
    )
    return review

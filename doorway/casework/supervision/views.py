"""Supervision pages: a team's sessions, recording a session, adding the participants
reviewed with the decisions, and reading a session. A role that never takes part gets
403; a team that is not hers, an audited 404. On the enrolment page, the reviews of her.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.audit.refusal import refuse
from doorway.casework.models import SupervisionReview, SupervisionSession
from doorway.casework.supervision import actions as supervision
from doorway.casework.supervision.forms import ReviewForm, SessionForm
from doorway.enrolments.models import Enrolment
from doorway.people.models import Team
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest

PER_PAGE = 50


def _check_role(request: AuthenticatedHttpRequest) -> None:
    if not supervision.takes_part_in_supervision(request.user):
        raise PermissionDenied("Supervision is for case managers and program managers.")


def access_team(request: AuthenticatedHttpRequest, team_id: Any) -> Team:
    _check_role(request)
    team = supervision.teams_for(request.user).filter(pk=team_id).first()
    if team is None:
        refuse(request, object_id=team_id, object_type="people.Team")
    return team


def access_supervision_session(
    request: AuthenticatedHttpRequest, session_id: Any
) -> SupervisionSession:
    """A supervision session of one of her teams (`supervision.teams_for`); otherwise
    404, audited."""
    _check_role(request)
    session = (
        SupervisionSession.objects.select_related("team", "led_by")
        .filter(pk=session_id, team__in=supervision.teams_for(request.user))
        .first()
    )
    if session is None:
        refuse(request, object_id=session_id, object_type=SupervisionSession._meta.label)
    return session


@login_required
@require_GET
def supervision_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    _check_role(request)
    teams = list(supervision.teams_for(request.user).order_by("name"))
    if len(teams) == 1:
        return redirect("supervision_sessions", teams[0].pk)
    return render(request, "casework/supervision/home.html", {"teams": teams})


@login_required
@require_GET
def supervision_sessions(request: AuthenticatedHttpRequest, team_id: Any) -> HttpResponse:
    team = access_team(request, team_id)
    page = Paginator(supervision.sessions_for_page(team, request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "casework/supervision/sessions.html", {"team": team, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def supervision_record(request: AuthenticatedHttpRequest, team_id: Any) -> HttpResponse:
    team = access_team(request, team_id)
    user = request.user
    form = SessionForm(
        request.POST if request.method == "POST" else None,
        staff=supervision.staff_for(team),
        user=user,
    )
    if form.is_bound and form.is_valid():
        try:
            session = supervision.record_session(team, by=user, **form.cleaned_data)
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(request, _("The session was recorded. Add the participants reviewed."))
            return redirect("supervision_review_add", session.pk)
    return render(request, "casework/supervision/session_form.html", {"team": team, "form": form})


@login_required
@require_GET
def supervision_session(request: AuthenticatedHttpRequest, session_id: Any) -> HttpResponse:
    session = access_supervision_session(request, session_id)
    user = request.user
    reviews = list(
        supervision.reviews_visible_to(session.reviews.all(), user)
        .select_related("enrolment__participant", "enrolment__case_manager")
        .order_by("recorded_at")
    )
    if reviews:
        record(
            Action.VIEW,
            request=request,
            subject=session,
            detail={
                "object_type": SupervisionReview._meta.label,
                "reviews": [str(r.pk) for r in reviews],
                "participants": sorted({str(r.enrolment.participant_id) for r in reviews}),
            },
        )
    return render(
        request,
        "casework/supervision/session.html",
        {
            "session": session,
            "attendees": list(session.attendees.all()),
            "reviews": reviews,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def supervision_review_add(request: AuthenticatedHttpRequest, session_id: Any) -> HttpResponse:
    session = access_supervision_session(request, session_id)
    user = request.user
    reviewable = supervision.reviewable_for(session, user)
    form = ReviewForm(request.POST if request.method == "POST" else None, enrolments=reviewable)
    if form.is_bound and form.is_valid():
        try:
            supervision.add_review(session, by=user, **form.cleaned_data)
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(request, _("The review was added."))
            if "another" in request.POST:
                return redirect("supervision_review_add", session.pk)
            return redirect("supervision_session", session.pk)
    # The choice of participants lists their names: a read of their records.
    record(
        Action.LIST,
        request=request,
        subject=session,
        detail={
            "object_type": "enrolments.Enrolment",
            "shown": [str(p) for p in reviewable.values_list("participant_id", flat=True)],
        },
    )
    return render(
        request, "casework/supervision/review_form.html", {"session": session, "form": form}
    )


def supervision_section(
    request: AuthenticatedHttpRequest, enrolment: Enrolment
) -> dict[str, Any] | None:
    """The supervision reviews of her, for her care team only; reading them is audited."""
    user = request.user
    if not supervision.takes_part_in_supervision(user):
        return None
    reviews = list(
        enrolment.supervision_reviews.select_related("session").order_by(
            "-session__held_on", "-recorded_at"
        )
    )
    if reviews:
        record(
            Action.VIEW,
            request=request,
            participant=enrolment.participant_id,
            detail={
                "object_type": SupervisionReview._meta.label,
                "reviews": [str(r.pk) for r in reviews],
            },
        )
    return {"template": "casework/supervision/_section.html", "casework_reviews": reviews}

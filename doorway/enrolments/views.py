"""The enrolment page: her journey through one program cycle, and the forms that move it.

Every view calls `access_enrolment` first (404 and an audited refusal when out of
reach), then checks the role's capability (403). The phase machine on the model does
the work; a refused move is shown next to the form and nothing is saved. The sections
later apps add to the page come in as `page` (an `EnrolmentPage`), from the URLs of
`doorway.enrolment_page`, which assembles them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from doorway.enrolments.access import access_enrolment
from doorway.enrolments.forms import AssignForm, EligibilityForm, MoveForm
from doorway.enrolments.models import (
    PHASE_EVENTS,
    Eligibility,
    Enrolment,
    EventKind,
    MoveRefused,
)
from doorway.enrolments.sections import EnrolmentPage, enrolment_sections
from doorway.people import roles
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.pages import audit_view, record_context


def posted_from_the_page(
    view: Callable[[AuthenticatedHttpRequest, Any, EnrolmentPage], HttpResponse],
) -> Callable[[AuthenticatedHttpRequest, Any, EnrolmentPage], HttpResponse]:
    """These forms live on the enrolment page. After a refused move the address bar
    shows the form's address; reloading it (a GET) goes back to the page, not to a
    bare 405."""

    @wraps(view)
    def wrapper(
        request: AuthenticatedHttpRequest, enrolment_id: Any, page: EnrolmentPage
    ) -> HttpResponse:
        if request.method == "GET":
            return redirect("enrolment_detail", enrolment_id=enrolment_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["GET", "POST"])
        return view(request, enrolment_id, page)

    return wrapper


def page_context(
    request: AuthenticatedHttpRequest, enrolment: Enrolment, page: EnrolmentPage, **forms: Any
) -> dict[str, Any]:
    user = request.user
    context = record_context(request, enrolment.participant)
    may_move = roles.moves_phases(user)
    events = enrolment.events.select_related("recorded_by")
    if not context["sees_case_content"]:
        # A peer mentor follows her through the phases: names and dates, no reasons.
        events = events.filter(kind__in=[*PHASE_EVENTS, EventKind.EXITED])
    phase = enrolment.current_phase
    days = enrolment.days_in_phase()
    context.update(
        {
            "enrolment": enrolment,
            "events": list(events),
            "days_in_phase": days,
            "expected_days": phase.expected_days,
            "overdue": bool(
                phase.expected_days and enrolment.is_open and days > phase.expected_days
            ),
            "may_move": may_move,
            "may_assign": roles.assigns_staff(user),
        }
    )
    if may_move:
        context["move_form"] = forms.get("move_form") or MoveForm(moves=enrolment.allowed_moves())
        if enrolment.is_open and context["sees_case_content"]:
            context["eligibility_form"] = forms.get("eligibility_form") or EligibilityForm(
                # A decision on record is the starting point for changing it.
                initial={
                    "decision": enrolment.eligibility
                    if enrolment.eligibility != Eligibility.PENDING
                    else None,
                    "reason": enrolment.eligibility_reason,
                }
            )
    context.update(enrolment_sections(request, enrolment, page))
    if context["may_assign"]:
        context["assign_form"] = forms.get("assign_form") or AssignForm(enrolment=enrolment)
    return context


def render_page(
    request: AuthenticatedHttpRequest, enrolment: Enrolment, page: EnrolmentPage, **forms: Any
) -> HttpResponse:
    audit_view(request, enrolment.participant, subject=enrolment)
    return render(
        request,
        "enrolments/enrolment_detail.html",
        page_context(request, enrolment, page, **forms),
    )


@login_required
def enrolment_detail(
    request: AuthenticatedHttpRequest, enrolment_id: Any, page: EnrolmentPage
) -> HttpResponse:
    enrolment = access_enrolment(request, enrolment_id)
    return render_page(request, enrolment, page)


@login_required
@posted_from_the_page
def enrolment_move(
    request: AuthenticatedHttpRequest, enrolment_id: Any, page: EnrolmentPage
) -> HttpResponse:
    enrolment = access_enrolment(request, enrolment_id)
    if not roles.moves_phases(request.user):
        raise PermissionDenied("Your role does not move participants between phases.")
    form = MoveForm(request.POST, moves=enrolment.allowed_moves())
    if form.is_valid():
        move = form.chosen()
        assert move is not None
        try:
            enrolment.make_move(
                move.key,
                by=request.user,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
            )
        except MoveRefused as refusal:
            # The machine refused under its lock (another worker moved her first, a
            # date before her last step): nothing was saved.
            enrolment.refresh_from_db()
            apply_errors(form, refusal)
        else:
            messages.success(request, page.after_move(enrolment, f"Done: {move.label}."))
            return redirect("enrolment_detail", enrolment_id=enrolment.pk)
    return render_page(request, enrolment, page, move_form=form)


@login_required
@posted_from_the_page
def enrolment_eligibility(
    request: AuthenticatedHttpRequest, enrolment_id: Any, page: EnrolmentPage
) -> HttpResponse:
    enrolment = access_enrolment(request, enrolment_id)
    user = request.user
    if not (roles.moves_phases(user) and roles.sees_case_content(user)):
        raise PermissionDenied("Your role does not decide eligibility.")
    form = EligibilityForm(request.POST)
    if form.is_valid():
        try:
            enrolment.decide_eligibility(
                form.cleaned_data["decision"],
                by=user,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
            )
        except MoveRefused as refusal:
            enrolment.refresh_from_db()
            apply_errors(form, refusal)
        else:
            messages.success(request, "The eligibility decision was recorded.")
            return redirect("enrolment_detail", enrolment_id=enrolment.pk)
    return render_page(request, enrolment, page, eligibility_form=form)


@login_required
@posted_from_the_page
def enrolment_assign(
    request: AuthenticatedHttpRequest, enrolment_id: Any, page: EnrolmentPage
) -> HttpResponse:
    enrolment = access_enrolment(request, enrolment_id)
    user = request.user
    if not roles.assigns_staff(user):
        raise PermissionDenied("Only a program manager assigns staff.")
    form = AssignForm(request.POST, enrolment=enrolment)
    if form.is_valid():
        try:
            event = enrolment.assign(
                case_manager=form.cleaned_data["case_manager"],
                peer_mentor=form.cleaned_data["peer_mentor"],
                by=user,
                reason=form.cleaned_data["reason"],
            )
        except MoveRefused as refusal:
            enrolment.refresh_from_db()
            apply_errors(form, refusal)
        else:
            if event is None:
                messages.info(request, "Nothing was changed.")
            else:
                messages.success(request, "The assignment was saved.")
            return redirect("enrolment_detail", enrolment_id=enrolment.pk)
    return render_page(request, enrolment, page, assign_form=form)

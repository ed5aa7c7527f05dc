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
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from doorway.enrolments.access import access_enrolment
from doorway.enrolments.forms import AssignForm, EligibilityForm, MoveForm, UndoForm
from doorway.enrolments.models import (
    PHASE_EVENTS,
    Eligibility,
    Enrolment,
    EventKind,
    JourneyEvent,
    MoveRefused,
)
from doorway.enrolments.permissions import undoes_moves
from doorway.enrolments.phases import numbered, phase_numbers
from doorway.enrolments.safe_contact import safe_contact_context
from doorway.enrolments.sections import EnrolmentPage, enrolment_sections
from doorway.people import roles
from doorway.people.forms import ConsentForm
from doorway.people.models import ConsentKind
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.pages import audit_view, is_htmx, record_context


def posted_from_the_page(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """These forms live on the enrolment page. After a refused move the address bar
    shows the form's address; reloading it (a GET) goes back to the page, not to a
    bare 405."""

    @wraps(view)
    def wrapper(
        request: AuthenticatedHttpRequest, enrolment_id: Any, page: EnrolmentPage, **more: Any
    ) -> HttpResponse:
        if request.method == "GET":
            return redirect("enrolment_detail", enrolment_id=enrolment_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["GET", "POST"])
        return view(request, enrolment_id, page, **more)

    return wrapper


def page_context(
    request: AuthenticatedHttpRequest, enrolment: Enrolment, page: EnrolmentPage, **forms: Any
) -> dict[str, Any]:
    user = request.user
    context = record_context(request, enrolment.participant)
    may_move = roles.moves_phases(user)
    events = enrolment.events.select_related("recorded_by", "undone_by", "from_phase", "to_phase")
    if not context["sees_case_content"]:
        # A peer mentor follows her through the phases: names and dates, no reasons.
        events = events.filter(kind__in=[*PHASE_EVENTS, EventKind.EXITED, EventKind.UNDONE])
    phase = enrolment.current_phase
    days = enrolment.days_in_phase()
    context.update(
        {
            "enrolment": enrolment,
            "phase_title": numbered(phase, phase_numbers(enrolment.program)),
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
    # Near "Record a contact": how it is safe to reach her, for those who see it.
    context.update(
        safe_contact_context(
            user,
            enrolment.participant,
            enrolment.cycle.program.safe_contact_check_days if enrolment.is_open else None,
            reverse("enrolment_detail", args=[enrolment.pk]),
        )
    )
    context.update(undo_context(request, enrolment, forms.get("undo_form")))
    context.update(consent_context(request, enrolment, forms.get("consent_form")))
    context.update(enrolment_sections(request, enrolment, page))
    if context["may_assign"]:
        context["assign_form"] = forms.get("assign_form") or AssignForm(enrolment=enrolment)
    return context


def undo_context(
    request: AuthenticatedHttpRequest, enrolment: Enrolment, form: UndoForm | None
) -> dict[str, Any]:
    """The last move, with a form to undo it, for her case manager or the program
    manager while it may still be undone."""
    if not undoes_moves(request.user, enrolment):
        return {}
    last = enrolment.last_move()
    if last is None or enrolment.undo_refused_because(last):
        return {}
    return {"undoable": last, "undo_form": form or UndoForm()}


def consent_context(
    request: AuthenticatedHttpRequest, enrolment: Enrolment, form: ConsentForm | None
) -> dict[str, Any]:
    """Consent to service, recorded where its absence stops her journey."""
    if not roles.records_consents(request.user):
        return {}
    participant = enrolment.participant
    has_service_consent = participant.has_consent(ConsentKind.SERVICE)
    if has_service_consent and form is None:
        return {"consent_in_force": True}
    return {
        "consent_in_force": has_service_consent,
        "consent_form": form
        or ConsentForm(participant=participant, initial={"kind": ConsentKind.SERVICE}),
    }


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
    """A move is asked twice: the form, then a page that says what it will do ("Move
    her to Phase 2 — …?"); only the second, with `confirmed`, moves her."""
    enrolment = access_enrolment(request, enrolment_id)
    if not roles.moves_phases(request.user):
        raise PermissionDenied(_("Your role does not move participants between phases."))
    form = MoveForm(request.POST, moves=enrolment.allowed_moves())
    if form.is_valid():
        move = form.chosen()
        assert move is not None
        if request.POST.get("confirmed") != "yes":
            audit_view(request, enrolment.participant, subject=enrolment)
            context = record_context(request, enrolment.participant)
            context.update({"enrolment": enrolment, "move": move, "form": form})
            return render(request, "enrolments/move_confirm.html", context)
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
            messages.success(request, page.after_move(enrolment, move.done))
            return redirect("enrolment_detail", enrolment_id=enrolment.pk)
    return render_page(request, enrolment, page, move_form=form)


@login_required
@posted_from_the_page
def enrolment_undo(
    request: AuthenticatedHttpRequest, enrolment_id: Any, page: EnrolmentPage, event_id: Any
) -> HttpResponse:
    enrolment = access_enrolment(request, enrolment_id)
    if not undoes_moves(request.user, enrolment):
        raise PermissionDenied(
            _("Only her case manager or the program manager may undo a phase move.")
        )
    event = JourneyEvent.objects.filter(enrolment=enrolment, pk=event_id).first()
    if event is None:
        raise Http404
    form = UndoForm(request.POST)
    if form.is_valid():
        try:
            enrolment.undo(event, by=request.user, reason=form.cleaned_data["reason"])
        except MoveRefused as refusal:
            enrolment.refresh_from_db()
            if not hasattr(refusal, "error_dict"):
                # Too late, or something depends on it: said at the top of the page.
                messages.error(request, " ".join(refusal.messages))
                return redirect("enrolment_detail", enrolment_id=enrolment.pk)
            apply_errors(form, refusal)
        else:
            messages.success(
                request,
                _("The move was undone: she is back where she was (%(phase)s).")
                % {"phase": enrolment.current_phase.local_name},
            )
            return redirect("enrolment_detail", enrolment_id=enrolment.pk)
    return render_page(request, enrolment, page, undo_form=form)


@login_required
@posted_from_the_page
def enrolment_consent(
    request: AuthenticatedHttpRequest, enrolment_id: Any, page: EnrolmentPage
) -> HttpResponse:
    """Her consent, recorded from the enrolment page through the participant page's
    form and action. With htmx the consent block and the moves it unblocks are swapped
    in place; without, the page comes back."""
    enrolment = access_enrolment(request, enrolment_id)
    if not roles.records_consents(request.user):
        raise PermissionDenied(_("Your role does not record consent."))
    participant = enrolment.participant
    form = ConsentForm(request.POST, participant=participant)
    recorded = form.record(by=request.user)
    if is_htmx(request):
        # Only the consent block, and the moves whose "not yet" it may have lifted.
        context = record_context(request, participant)
        context.update(consent_context(request, enrolment, None if recorded else form))
        context.update({"enrolment": enrolment, "consent_recorded": recorded})
        if roles.moves_phases(request.user):
            context["move_form"] = MoveForm(moves=enrolment.allowed_moves())
            context.update(undo_context(request, enrolment, None))
        return render(request, "enrolments/_consent_answer.html", context)
    if recorded:
        messages.success(request, _("Her consent was recorded."))
        return redirect("enrolment_detail", enrolment_id=enrolment.pk)
    return render_page(request, enrolment, page, consent_form=form)


@login_required
@posted_from_the_page
def enrolment_eligibility(
    request: AuthenticatedHttpRequest, enrolment_id: Any, page: EnrolmentPage
) -> HttpResponse:
    enrolment = access_enrolment(request, enrolment_id)
    user = request.user
    if not (roles.moves_phases(user) and roles.sees_case_content(user)):
        raise PermissionDenied(_("Your role does not decide eligibility."))
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
            messages.success(request, _("The eligibility decision was recorded."))
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
        raise PermissionDenied(_("Only a program manager assigns staff."))
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
                messages.info(request, _("Nothing was changed."))
            else:
                messages.success(request, _("The assignment was saved."))
            return redirect("enrolment_detail", enrolment_id=enrolment.pk)
    return render_page(request, enrolment, page, assign_form=form)

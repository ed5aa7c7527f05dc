"""The participant pages: list and search, registration, her page, identity, safety
flags and consents.

Every view that touches one participant calls `access_participant` first: a record out
of reach answers 404 and the attempt is audited. What she may then *do* comes from
`roles`; a missing capability answers 403. Writes go through `doorway.people.actions`
and `doorway.enrolments.actions`, which audit them; reads are audited here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.audit.refusal import refuse
from doorway.caseload import duplicates
from doorway.concurrency import StaleVersion, version_of
from doorway.enrolments.access import access_participant, participants_visible_to
from doorway.enrolments.actions import register_participant
from doorway.enrolments.forms import RegisterForm
from doorway.enrolments.models import Enrolment
from doorway.enrolments.safe_contact import (
    check_days_of,
    confirm_safe_contact,
    confirms_safe_contact,
    open_check_days,
    safe_contact_context,
    update_identity,
)
from doorway.participants.disclosures.views import section_context as disclosure_section
from doorway.participants.forms import SearchForm, too_short_for_names
from doorway.participants.permissions import searches_participants
from doorway.people import actions, roles
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may
from doorway.people.forms import (
    ConsentForm,
    DuplicateCheckForm,
    IdentityForm,
    SafetyFlagForm,
    WithdrawConsentForm,
)
from doorway.people.models import Consent, Participant, SafetyFlag
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.pages import audit_view, is_htmx, record_context

if TYPE_CHECKING:
    from doorway.people.models import User

PAGE_SIZE = 25


# --- reach ---------------------------------------------------------------------------


def reaches_participants(request: AuthenticatedHttpRequest) -> None:
    """Roles that reach no participant record at all (the evaluator) get 404 on every
    participant page, lists included, audited like any other refusal."""
    if not searches_participants(request.user):
        refuse(request, object_type="people.Participant")


# --- list and search ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def participant_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Her caseload (or whatever the access rule lets her reach). A search is posted, so
    that a name never travels in a URL, a browser history or a server log."""
    reaches_participants(request)
    user = request.user
    form = SearchForm(request.POST if request.method == "POST" else None)
    query = ""
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"].strip()

    visible_enrolments = (
        Enrolment.objects.visible_to(user)
        .select_related("cycle__program", "current_phase", "case_manager")
        .order_by("exit_reason", "-referred_on")
    )
    participants = participants_visible_to(user).prefetch_related(
        Prefetch("enrolments", queryset=visible_enrolments, to_attr="visible_enrolments")
    )
    if query:
        participants = participants.search(query, preferred_only=not roles.sees_identity(user))

    page_number = request.POST.get("page") if query else request.GET.get("page")
    page = Paginator(participants.order_by("code"), PAGE_SIZE).get_page(page_number)
    rows = [(p, p.visible_enrolments[0] if p.visible_enrolments else None) for p in page]  # type: ignore[attr-defined]  # the Prefetch's to_attr, which django-stubs cannot see
    # Which records were shown, never what was typed.
    record(
        Action.SEARCH if query else Action.LIST,
        request=request,
        detail={
            "object_type": "people.Participant",
            "results": page.paginator.count,
            "page": page.number,
            "shown": [str(p.pk) for p, _ in rows],
        },
    )
    context = {
        "form": form,
        "query": query,
        "too_short": too_short_for_names(query),
        "page": page,
        "rows": rows,
        "registers": roles.registers_participants(user),
    }
    if is_htmx(request):
        return render(request, "people/_participant_results.html", context)
    return render(request, "people/participant_list.html", context)


# --- registration ------------------------------------------------------------------


def may_register(request: AuthenticatedHttpRequest) -> None:
    reaches_participants(request)
    if not roles.registers_participants(request.user):
        raise PermissionDenied(_("Only case managers and program managers register participants."))


def likely_duplicates(
    request: HttpRequest, *, user: User, names: list[str], date_of_birth: Any, agency: Any
) -> duplicates.Lookup:
    """The likely matches she may open, and nothing about those she may not (see
    `doorway.caseload.duplicates`). Raises TooManyLookups past her hourly limit.
    (Asked by the page and by the API, whose request is DRF's.)"""
    return duplicates.look_up(
        user=user,
        agency=agency,
        names=names,
        date_of_birth=date_of_birth,
        purpose="duplicate_check",
        request=request,
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    may_register(request)
    user = request.user
    form = RegisterForm(request.POST if request.method == "POST" else None, user=user)
    found = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = likely_duplicates(
                request,
                user=user,
                names=form.names(),
                date_of_birth=data["date_of_birth"],
                agency=data["cycle"].program.agency,
            )
        except duplicates.TooManyLookups as refused:
            form.add_error(None, str(refused))
            status = 429
        if found is None:
            pass
        elif found and not data["different_person"]:
            form.add_error(
                "different_person",
                "A likely match exists. Check it, then confirm she is a different person.",
            )
        else:
            try:
                enrolment = register_participant(
                    cycle=data["cycle"],
                    by=user,
                    preferred_name=data["preferred_name"],
                    legal_name=data["legal_name"],
                    aliases=data["aliases"],
                    date_of_birth=data["date_of_birth"],
                    phone=data["phone"],
                    email=data["email"],
                    safe_contact=data["safe_contact"],
                    referral_source=data["referral_source"],
                    referred_on=data["referred_on"],
                    case_manager=data["case_manager"],
                    peer_mentor=data["peer_mentor"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                participant = enrolment.participant
                found.registered(participant)
                messages.success(request, _("Registered as %(code)s.") % {"code": participant.code})
                return redirect("participant_detail", participant_id=participant.pk)
    return render(
        request,
        "people/participant_register.html",
        {"form": form, "duplicates": found, "checked": found is not None},
        status=status,
    )


@login_required
@require_POST
def participant_duplicates(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The likely-duplicate warning, refreshed while she types the names (HTMX)."""
    may_register(request)
    user = request.user
    form = DuplicateCheckForm(request.POST)
    found = refused = None
    if form.is_valid() and form.names():
        try:
            found = likely_duplicates(
                request,
                user=user,
                names=form.names(),
                date_of_birth=form.cleaned_data["date_of_birth"],
                agency=user.agency,
            )
        except duplicates.TooManyLookups as error:
            refused = str(error)
    return render(
        request,
        "people/_duplicates.html",
        # 200 even when refused: htmx swaps in only a successful answer.
        {"duplicates": found, "checked": found is not None, "refused": refused},
    )


# --- her page ----------------------------------------------------------------------


def detail_context(
    request: AuthenticatedHttpRequest, participant: Participant, **forms: Any
) -> dict[str, Any]:
    user = request.user
    context = record_context(request, participant)
    context["enrolments"] = list(
        Enrolment.objects.visible_to(user)
        .filter(participant=participant)
        .select_related("cycle__program", "current_phase", "case_manager", "peer_mentor")
        .order_by("exit_reason", "-referred_on")
    )
    if context["sees_case_content"]:
        consents = list(
            participant.consents.select_related("partner", "recorded_by", "withdrawn_by")
        )
        withdraw_forms = forms.pop("withdraw_forms", {})
        context["consents"] = [
            (c, withdraw_forms.get(c.pk) or WithdrawConsentForm(prefix=f"w-{c.pk}"))
            for c in consents
        ]
    if context["changes_records"]:
        context["flag_form"] = forms.get("flag_form") or SafetyFlagForm()
        if context["sees_case_content"]:
            context["consent_form"] = forms.get("consent_form") or ConsentForm(
                participant=participant
            )
    if context["sees_identity"]:
        context["age"] = participant.age_on(timezone.localdate())
    context.update(
        safe_contact_context(
            user,
            participant,
            check_days_of(context["enrolments"]),
            reverse("participant_detail", args=[participant.pk]),
        )
    )
    # Her own copy (doorway.subject_access): her case team and her program's managers.
    context["gives_her_copy"] = may(user, Can.GIVE_HER_COPY)
    # What left Doorway about her, to whom, under which consent: case content.
    if context["sees_case_content"]:
        context.update(disclosure_section(participant))
    return context


@login_required
def participant_detail(request: AuthenticatedHttpRequest, participant_id: Any) -> HttpResponse:
    participant = access_participant(request, participant_id)
    audit_view(request, participant)
    return render(request, "people/participant_detail.html", detail_context(request, participant))


def may_change(request: AuthenticatedHttpRequest, participant: Participant) -> None:
    if not roles.changes_records(request.user):
        raise PermissionDenied(_("You can read this record but not change it."))


@login_required
@require_http_methods(["GET", "POST"])
def participant_edit(request: AuthenticatedHttpRequest, participant_id: Any) -> HttpResponse:
    participant = access_participant(request, participant_id)
    may_change(request, participant)
    user = request.user
    if request.method == "POST":
        form = IdentityForm(request.POST, version=version_of(participant))
        if form.is_valid():
            try:
                changed = update_identity(
                    participant,
                    by=user,
                    expected_version=form.expected_version,
                    **form.cleaned_data,
                )
            except StaleVersion:
                participant.refresh_from_db()
                form.show_theirs(version_of(participant), IdentityForm.values_of(participant))
            except ValidationError as error:
                apply_errors(form, error)
            else:
                if changed:
                    messages.success(request, _("Her details were saved."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("participant_detail", participant_id=participant.pk)
    else:
        form = IdentityForm.for_participant(participant)
    # The form shows her identifying fields: a read of her record.
    audit_view(request, participant)
    context = record_context(request, participant)
    context["form"] = form
    context.update(
        safe_contact_context(
            user,
            participant,
            open_check_days(participant),
            reverse("participant_edit", args=[participant.pk]),
        )
    )
    return render(request, "people/participant_edit.html", context)


# --- safe contact --------------------------------------------------------------------


def back_to(request: AuthenticatedHttpRequest, participant: Participant) -> str:
    """The page the confirmation was asked from, if it is one of ours; else her page."""
    back = request.POST.get("back") or ""
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return back
    return reverse("participant_detail", args=[participant.pk])


@login_required
@require_POST
def safe_contact_confirm(request: AuthenticatedHttpRequest, participant_id: Any) -> HttpResponse:
    """She said her safe-contact instructions still hold: today's date on them."""
    participant = access_participant(request, participant_id)
    if not confirms_safe_contact(request.user):
        may_change(request, participant)
        raise PermissionDenied(_("Only those who see and change her details confirm them."))
    confirm_safe_contact(participant, by=request.user)
    messages.success(request, _("Her safe-contact instructions are confirmed as of today."))
    return redirect(back_to(request, participant))


# --- safety flags (HTMX: the flags section is swapped in place) -----------------------


def flags_answer(
    request: AuthenticatedHttpRequest,
    participant: Participant,
    flag_form: SafetyFlagForm | None = None,
) -> HttpResponse:
    if is_htmx(request):
        context = record_context(request, participant)
        context["flag_form"] = flag_form or SafetyFlagForm()
        return render(request, "people/_flags_section.html", context)
    if flag_form is not None and flag_form.errors:
        audit_view(request, participant)
        return render(
            request,
            "people/participant_detail.html",
            detail_context(request, participant, flag_form=flag_form),
        )
    return redirect("participant_detail", participant_id=participant.pk)


@login_required
@require_POST
def safety_flag_add(request: AuthenticatedHttpRequest, participant_id: Any) -> HttpResponse:
    participant = access_participant(request, participant_id)
    may_change(request, participant)
    form = SafetyFlagForm(request.POST)
    if form.is_valid():
        try:
            actions.add_safety_flag(
                participant,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return flags_answer(request, participant)
    return flags_answer(request, participant, form)


@login_required
@require_POST
def safety_flag_remove(
    request: AuthenticatedHttpRequest, participant_id: Any, flag_id: Any
) -> HttpResponse:
    participant = access_participant(request, participant_id)
    may_change(request, participant)
    flag = get_object_or_404(SafetyFlag, pk=flag_id, participant=participant)
    actions.remove_safety_flag(flag, by=request.user)
    return flags_answer(request, participant)


# --- consents (HTMX: the consents section is swapped in place) ------------------------


def may_change_consents(request: AuthenticatedHttpRequest, participant: Participant) -> None:
    # The one consent rule, as the enrolment page and the referral form ask it.
    if not roles.records_consents(request.user):
        # Says why when she may read the record but change nothing in it.
        may_change(request, participant)
        raise PermissionDenied(_("Consents are case content."))


def consents_answer(
    request: AuthenticatedHttpRequest, participant: Participant, **forms: Any
) -> HttpResponse:
    has_errors = any(
        f.errors
        for f in [forms.get("consent_form"), *forms.get("withdraw_forms", {}).values()]
        if f is not None
    )
    if is_htmx(request):
        context = detail_context(request, participant, **forms)
        return render(request, "people/_consents_section.html", context)
    if has_errors:
        audit_view(request, participant)
        return render(
            request,
            "people/participant_detail.html",
            detail_context(request, participant, **forms),
        )
    return redirect("participant_detail", participant_id=participant.pk)


@login_required
@require_POST
def consent_give(request: AuthenticatedHttpRequest, participant_id: Any) -> HttpResponse:
    participant = access_participant(request, participant_id)
    may_change_consents(request, participant)
    form = ConsentForm(request.POST, participant=participant)
    if form.record(by=request.user):
        return consents_answer(request, participant)
    return consents_answer(request, participant, consent_form=form)


@login_required
@require_POST
def consent_withdraw(
    request: AuthenticatedHttpRequest, participant_id: Any, consent_id: Any
) -> HttpResponse:
    participant = access_participant(request, participant_id)
    may_change_consents(request, participant)
    consent = get_object_or_404(Consent, pk=consent_id, participant=participant)
    form = WithdrawConsentForm(request.POST, prefix=f"w-{consent.pk}")
    if form.is_valid():
        try:
            actions.withdraw_consent(
                consent,
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return consents_answer(request, participant)
    return consents_answer(request, participant, withdraw_forms={consent.pk: form})

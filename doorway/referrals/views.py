"""Referral pages: make one, read its dated history, record its next step; and the
referrals section of the enrolment page.

Every view calls `access_enrolment` first (404 and an audited refusal when out of
reach), then the role's capability in `rules` (403: a peer mentor never sees a
referral; an administrator with broken glass reads and never writes).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.concurrency import StaleVersion, version_of
from doorway.enrolments.access import access_enrolment, access_part
from doorway.enrolments.models import Enrolment
from doorway.people import roles
from doorway.people.forms import ConsentForm
from doorway.people.models import Consent, ConsentKind
from doorway.programs.models import PartnerAgency
from doorway.referrals import permissions
from doorway.referrals.actions import make_referral, update_referral
from doorway.referrals.forms import ReferralForm, ReferralUpdateForm
from doorway.referrals.links import ANSWERS
from doorway.referrals.models import NO_NEWS_DAYS, Referral
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.pages import audit_view, is_htmx, record_page


def must_read(request: AuthenticatedHttpRequest) -> None:
    if not permissions.reads_referrals(request.user):
        raise PermissionDenied(_("Referrals are seen by the care team only."))


def must_write(request: AuthenticatedHttpRequest) -> None:
    if not permissions.makes_referrals(request.user):
        raise PermissionDenied(_("Your role does not make referrals."))


def access_referral(
    request: AuthenticatedHttpRequest, enrolment_id: Any, referral_id: Any
) -> Referral:
    """A referral of an enrolment she reaches; otherwise 404, audited."""
    enrolment = access_enrolment(request, enrolment_id)
    referrals = Referral.objects.select_related("partner", "made_by").filter(enrolment=enrolment)
    referral = access_part(request, enrolment, referrals, referral_id)
    referral.enrolment = enrolment
    return referral


def consented_partners(enrolment: Enrolment) -> list[PartnerAgency]:
    ids = (
        Consent.objects.in_force()
        .filter(participant=enrolment.participant_id, kind=ConsentKind.INFORMATION_SHARING)
        .values("partner")
    )
    return list(PartnerAgency.objects.filter(pk__in=ids).order_by("name"))


def referrals_section(
    request: AuthenticatedHttpRequest, enrolment: Enrolment
) -> dict[str, Any] | None:
    """Her referrals with their status, and "no news for N days" once an open one has
    had no update for two weeks. One query, whatever the number of referrals."""
    user = request.user
    if not permissions.reads_referrals(user):
        return None
    today = timezone.localdate()
    rows = list(
        Referral.objects.filter(enrolment=enrolment)
        .select_related("partner")
        .order_by("-made_on", "-created_at")
    )
    for referral in rows:
        days = (today - referral.status_on).days
        referral.no_news_days = days if referral.is_open and days >= NO_NEWS_DAYS else None  # type: ignore[attr-defined]  # an attribute of ours on the instance, for the template
    return {
        "template": "referrals/_referrals.html",
        "referrals_rows": rows,
        "referrals_may_write": permissions.makes_referrals(user) and enrolment.is_open,
    }


def enrolment_url(enrolment: Enrolment) -> str:
    return reverse("enrolment_detail", args=[enrolment.pk]) + "#referrals"


# The consent fields inside the referral form carry this prefix; the button that records
# the consent is named RECORD_CONSENT.
CONSENT = "consent"
RECORD_CONSENT = "record_consent"


def sharing_consent_form(
    enrolment: Enrolment, data: Any = None, partner: Any = None
) -> ConsentForm:
    """The participant page's consent form, for consent to share with a partner."""
    if data is not None:
        data = data.copy()
        data[f"{CONSENT}-kind"] = ConsentKind.INFORMATION_SHARING
    form = ConsentForm(
        data,
        participant=enrolment.participant,
        prefix=CONSENT,
        initial={"kind": ConsentKind.INFORMATION_SHARING, "partner": partner},
    )
    # Here it is always consent to share: the partner is the whole question.
    field: Any = form.fields["partner"]
    field.required = True
    field.empty_label = _("Choose…")
    field.help_text = _("The partner she agrees to share her information with.")
    return form


def typed(form_class: type[ReferralForm], data: Any) -> dict[str, Any]:
    """What was typed into the referral form, to show it again as it was, unjudged."""
    values = {name: data.get(name, "") for name in form_class.base_fields}
    values["shares_information"] = bool(data.get("shares_information"))
    return values


def record_sharing_consent(request: AuthenticatedHttpRequest, enrolment: Enrolment) -> HttpResponse:
    """Her consent to share, recorded from inside the referral form: with htmx only the
    consent block comes back; without, the whole form, as she typed it."""
    if not roles.records_consents(request.user):
        raise PermissionDenied(_("Your role does not record consent."))
    consent_form = sharing_consent_form(enrolment, request.POST)
    recorded = consent_form.record(by=request.user)
    form = ReferralForm(
        enrolment=enrolment,
        consented=consented_partners(enrolment),
        initial=typed(ReferralForm, request.POST),
    )
    if recorded:
        consent_form = sharing_consent_form(enrolment, partner=request.POST.get("partner"))
    context = {
        "form": form,
        "consent_form": consent_form,
        "consent_recorded": recorded,
        "consent_open": not recorded,
    }
    if is_htmx(request):
        return render(request, "referrals/_consent.html", {"enrolment": enrolment, **context})
    audit_view(request, enrolment.participant, subject=enrolment)
    return record_page(request, enrolment, "referrals/referral_form.html", **context)


@login_required
@require_http_methods(["GET", "POST"])
def referral_make(request: AuthenticatedHttpRequest, enrolment_id: Any) -> HttpResponse:
    enrolment = access_enrolment(request, enrolment_id)
    must_write(request)
    user = request.user
    posted = request.method == "POST"
    if posted and RECORD_CONSENT in request.POST:
        return record_sharing_consent(request, enrolment)
    consented = consented_partners(enrolment)
    # A GET may carry the chosen kind of service and partner (neither is personal): the
    # kind filters the partners, and a partner already chosen stays chosen if it fits.
    initial = {
        "service_kind": request.GET.get("service_kind", ""),
        "partner": request.GET.get("partner", ""),
    }
    form = ReferralForm(
        request.POST if posted else None,
        enrolment=enrolment,
        consented=consented,
        initial=initial,
    )
    if posted and form.is_valid():
        try:
            make_referral(enrolment, by=user, **form.values())
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(request, _("The referral was recorded."))
            return redirect(enrolment_url(enrolment))
    if is_htmx(request) and not posted:
        # Only the partner list changes when the kind of service does.
        return render(request, "referrals/_partner_field.html", {"form": form})
    audit_view(request, enrolment.participant, subject=enrolment)
    chosen = request.POST.get("partner") if posted else initial["partner"]
    return record_page(
        request,
        enrolment,
        "referrals/referral_form.html",
        form=form,
        consent_form=sharing_consent_form(enrolment, partner=chosen or None)
        if roles.records_consents(user)
        else None,
        # Open when the referral was refused for want of her consent.
        consent_open=bool(form.errors.get("shares_information")) if posted else False,
    )


def detail_response(
    request: AuthenticatedHttpRequest, referral: Referral, form: ReferralUpdateForm | None
) -> HttpResponse:
    updates = list(
        referral.updates.select_related("recorded_by").order_by("dated_on", "recorded_at")
    )
    record(
        Action.VIEW,
        request=request,
        participant=referral.enrolment.participant_id,
        subject=referral,
        detail={"notes": [str(u.pk) for u in updates if u.note]},
    )
    links = list(referral.links.select_related("created_by"))
    return record_page(
        request,
        referral.enrolment,
        "referrals/referral_detail.html",
        referral=referral,
        updates=updates,
        form=form,
        links=links,
        may_link=permissions.makes_referrals(request.user) and referral.status in ANSWERS,
    )


@login_required
@require_GET
def referral_detail(
    request: AuthenticatedHttpRequest, enrolment_id: Any, referral_id: Any
) -> HttpResponse:
    referral = access_referral(request, enrolment_id, referral_id)
    must_read(request)
    form = None
    if permissions.makes_referrals(request.user) and referral.is_open:
        form = ReferralUpdateForm(referral=referral, version=version_of(referral))
    return detail_response(request, referral, form)


@login_required
@require_http_methods(["GET", "POST"])
def referral_update(
    request: AuthenticatedHttpRequest, enrolment_id: Any, referral_id: Any
) -> HttpResponse:
    """The update form lives on the referral's page; a GET here goes back to it."""
    referral = access_referral(request, enrolment_id, referral_id)
    must_read(request)
    if request.method == "GET":
        return redirect("referral_detail", enrolment_id=enrolment_id, referral_id=referral_id)
    must_write(request)
    form = ReferralUpdateForm(request.POST, referral=referral, version=version_of(referral))
    if form.is_valid():
        try:
            update_referral(
                referral,
                by=request.user,
                expected_version=form.expected_version,
                **form.values(),
            )
        except StaleVersion:
            referral.refresh_from_db()
            # What may follow now follows their step, not the one she saw.
            status: Any = form.fields["status"]
            status.choices = [(s.value, s.label) for s in referral.next_statuses()]
            form.show_theirs(
                version_of(referral),
                {"status": referral.get_status_display(), "dated_on": referral.status_on},
            )
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(
                request,
                _("Recorded: %(status)s.") % {"status": referral.get_status_display().lower()},
            )
            return redirect(enrolment_url(referral.enrolment))
    return detail_response(request, referral, form)

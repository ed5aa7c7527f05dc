"""The worker's side of referral links: make one (the full link is shown this once, to
copy and send through the agency's own channel) and revoke one. Only someone who may
write the referral does either; out of reach: 404, audited (`access_referral`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doorway.referrals.links import make_link, revoke_link
from doorway.referrals.models import PartnerLink
from doorway.referrals.views import access_referral, must_read, must_write
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.pages import record_page


@login_required
@require_POST
def link_make(
    request: AuthenticatedHttpRequest, enrolment_id: Any, referral_id: Any
) -> HttpResponse:
    referral = access_referral(request, enrolment_id, referral_id)
    must_read(request)
    must_write(request)
    try:
        link, token = make_link(referral, by=request.user)
    except ValidationError as refusal:
        for message in refusal.messages:
            messages.error(request, message)
        return redirect("referral_detail", enrolment_id=enrolment_id, referral_id=referral_id)
    url = request.build_absolute_uri(reverse("partner_link", args=[token]))
    return record_page(
        request,
        referral.enrolment,
        "referrals/link_made.html",
        referral=referral,
        link=link,
        link_url=url,
    )


@login_required
@require_POST
def link_revoke(
    request: AuthenticatedHttpRequest, enrolment_id: Any, referral_id: Any, link_id: Any
) -> HttpResponse:
    referral = access_referral(request, enrolment_id, referral_id)
    must_read(request)
    must_write(request)
    link = get_object_or_404(PartnerLink.objects.filter(referral=referral), pk=link_id)
    link.referral = referral
    try:
        revoke_link(link, by=request.user)
    except ValidationError as refusal:
        for message in refusal.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The link was revoked: it shows nothing any more."))
    return redirect("referral_detail", enrolment_id=enrolment_id, referral_id=referral_id)

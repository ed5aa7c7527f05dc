"""The signed copy of one consent: its page (what is on file, and the upload form that
her record's consents section also shows), the upload, and the download.

Each view calls `access_consent` first (404 out of reach, audited, and for a consent
that is not hers; 403 for a role that does not record her consents). The upload is read
in memory only (`uploads.accept_in_memory`), so it is set up before Django's CSRF check
reads the form: the view is exempted from the middleware's check and makes the same
check itself, once the upload handler is in place.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from doorway.people.models import Consent
from doorway.signed_copies import actions
from doorway.signed_copies.forms import SignedCopyForm
from doorway.signed_copies.models import SignedCopy
from doorway.signed_copies.permissions import access_consent
from doorway.signed_copies.uploads import InMemoryOnly, accept_in_memory
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.pages import audit_view, record_context


def on_file(consent: Consent) -> SignedCopy | None:
    return (
        SignedCopy.objects.filter(consent=consent)
        .defer("content")
        .select_related("uploaded_by")
        .first()
    )


def page(
    request: AuthenticatedHttpRequest,
    consent: Consent,
    form: SignedCopyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = record_context(request, consent.participant)
    context.update(
        {
            "consent": consent,
            "copy": on_file(consent),
            "form": form or SignedCopyForm(),
            "max_megabytes": actions.megabytes(settings.SIGNED_COPY_MAX_BYTES),
        }
    )
    return render(request, "signed_copies/signed_copy.html", context, status=status)


def upload(
    request: AuthenticatedHttpRequest, consent: Consent, handler: InMemoryOnly
) -> HttpResponse:
    form = SignedCopyForm(request.POST, request.FILES)
    if handler.too_large:
        form.add_error("file", actions.too_large())
        return page(request, consent, form, status=400)
    if form.is_valid():
        try:
            actions.attach(consent, form.cleaned_data["file"].read(), by=request.user)
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(request, _("The signed copy is attached to the consent."))
            return redirect("participant_detail", participant_id=consent.participant_id)
    return page(request, consent, form, status=400)


@csrf_protect
def _signed_copy(
    request: AuthenticatedHttpRequest, participant_id: Any, consent_id: Any, handler: Any
) -> HttpResponse:
    consent = access_consent(request, participant_id, consent_id)
    if request.method == "POST":
        return upload(request, consent, handler)
    audit_view(request, consent.participant, consent)
    return page(request, consent)


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def signed_copy(
    request: AuthenticatedHttpRequest, participant_id: Any, consent_id: Any
) -> HttpResponse:
    # Before anything reads the form: the upload stays in memory. The CSRF check is
    # `_signed_copy`'s, made after this.
    handler = accept_in_memory(request)
    return _signed_copy(request, participant_id, consent_id, handler)


# Nothing reads its body before it does (doorway.drafts.middleware).
signed_copy.reads_own_upload = True  # type: ignore[attr-defined]  # a marker on the view function


@login_required
@require_GET
def signed_copy_download(
    request: AuthenticatedHttpRequest, participant_id: Any, consent_id: Any
) -> HttpResponse:
    consent = access_consent(request, participant_id, consent_id)
    copy = SignedCopy.objects.filter(consent=consent).select_related("consent__participant").first()
    if copy is None:
        # Hers, but nothing attached: nothing to hide, nothing to send.
        return page(request, consent, status=404)
    response = HttpResponse(actions.read(copy, by=request.user), content_type=copy.file_type)
    response["Content-Disposition"] = f'attachment; filename="{actions.filename(copy)}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(copy.size)
    return response

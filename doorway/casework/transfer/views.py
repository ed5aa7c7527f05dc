"""Transfer-of-care and closing-note pages, mounted under an enrolment, and their
section of the enrolment page. `access_enrolment` first (audited 404), then the role
(403); reading what was agreed or the closing note is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.casework.models import ClosingNote, TransferOfCare
from doorway.casework.transfer import actions as transfer
from doorway.casework.transfer.forms import ClosingNoteForm, TransferForm
from doorway.concurrency import StaleVersion, version_or_new
from doorway.enrolments.access import access_enrolment
from doorway.enrolments.models import Enrolment
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.pages import audit_view, record_page


def enrolment_url(enrolment: Enrolment) -> str:
    return reverse("enrolment_detail", args=[enrolment.pk]) + "#transfer"


def page(
    request: AuthenticatedHttpRequest, enrolment: Enrolment, template: str, **extra: Any
) -> HttpResponse:
    stretch = transfer.in_closing_stretch(enrolment)
    return record_page(request, enrolment, template, in_closing_stretch=stretch, **extra)


def _check_writer(request: AuthenticatedHttpRequest) -> None:
    if not transfer.writes_transfer(request.user):
        raise PermissionDenied("Your role does not record transfers of care.")


@login_required
@require_http_methods(["GET", "POST"])
def transfer_meeting(request: AuthenticatedHttpRequest, enrolment_id: Any) -> HttpResponse:
    enrolment = access_enrolment(request, enrolment_id)
    _check_writer(request)
    user = request.user
    form = TransferForm(
        request.POST if request.method == "POST" else None,
        partners=transfer.partners_for(enrolment),
    )
    if form.is_bound and form.is_valid():
        try:
            transfer.record_transfer(enrolment, by=user, **form.cleaned_data)
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(request, _("The transfer-of-care meeting was recorded."))
            return redirect(enrolment_url(enrolment))
    audit_view(request, enrolment.participant, subject=enrolment)
    return page(request, enrolment, "casework/transfer/meeting_form.html", form=form)


@login_required
@require_http_methods(["GET", "POST"])
def closing_note(request: AuthenticatedHttpRequest, enrolment_id: Any) -> HttpResponse:
    enrolment = access_enrolment(request, enrolment_id)
    _check_writer(request)
    user = request.user
    note = ClosingNote.objects.filter(enrolment=enrolment).first()
    bound = request.method == "POST"
    form = ClosingNoteForm(request.POST if bound else None, note=note, version=version_or_new(note))
    if bound and form.is_valid():
        try:
            transfer.write_closing_note(
                enrolment, by=user, expected_version=form.expected_version, **form.cleaned_data
            )
        except StaleVersion:
            note = ClosingNote.objects.filter(enrolment=enrolment).first()
            form.show_theirs(
                version_or_new(note),
                {"written_on": note.written_on, "text": note.text} if note else {},
            )
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(request, _("The closing note was saved."))
            return redirect(enrolment_url(enrolment))
    if not bound and note is not None:
        record(Action.VIEW, request=request, participant=enrolment.participant_id, subject=note)
    return page(
        request, enrolment, "casework/transfer/closing_note_form.html", form=form, note=note
    )


@login_required
@require_GET
def closing_note_history(request: AuthenticatedHttpRequest, enrolment_id: Any) -> HttpResponse:
    enrolment = access_enrolment(request, enrolment_id)
    if not transfer.reads_transfer(request.user):
        raise PermissionDenied("The closing note is read by the care team only.")
    note = ClosingNote.objects.filter(enrolment=enrolment).first()
    versions = (
        list(note.history.select_related("history_user").order_by("-history_date"))
        if note is not None
        else []
    )
    if note is not None:
        record(
            Action.VIEW,
            request=request,
            participant=enrolment.participant_id,
            subject=note,
            detail={"history": True},
        )
    return page(
        request, enrolment, "casework/transfer/closing_note_history.html", note=note,
        versions=versions,
    )  # fmt: skip


def transfer_section(
    request: AuthenticatedHttpRequest, enrolment: Enrolment
) -> dict[str, Any] | None:
    """Her transfer-of-care meetings and closing note, for her care team; hidden until
    she is in the closing stretch and nothing is written yet."""
    user = request.user
    if not transfer.reads_transfer(user):
        return None
    meetings = list(
        TransferOfCare.objects.filter(enrolment=enrolment)
        .select_related("recorded_by")
        .prefetch_related("partners")
    )
    note = ClosingNote.objects.filter(enrolment=enrolment).select_related("written_by").first()
    stretch = transfer.in_closing_stretch(enrolment)
    if not (stretch or meetings or note):
        return None
    if meetings or note:
        record(
            Action.VIEW,
            request=request,
            participant=enrolment.participant_id,
            detail={
                "object_type": TransferOfCare._meta.label,
                "transfers": [str(m.pk) for m in meetings],
                "closing_note": bool(note),
            },
        )
    return {
        "template": "casework/transfer/_section.html",
        "casework_transfers": meetings,
        "casework_closing_note": note,
        "casework_transfer_writes": transfer.writes_transfer(user) and stretch,
    }

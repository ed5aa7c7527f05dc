"""Her own copy: the page (what goes in it and what is withheld, her requests and when
each answer is due), making the copy (a PDF or JSON download), and recording a request.

Each view calls `access_her_copy` first (404 out of reach, audited; 403 for a role that
does not give copies), then does one thing through `actions`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from doorway.enrolments.models import Enrolment
from doorway.people.models import Participant
from doorway.subject_access import actions, gather
from doorway.subject_access.forms import CopyForm, RequestForm
from doorway.subject_access.models import SubjectAccessRequest
from doorway.subject_access.permissions import access_her_copy
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.pages import audit_view, record_context


def page(
    request: AuthenticatedHttpRequest,
    participant: Participant,
    *,
    copy_form: CopyForm | None = None,
    request_form: RequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    requests = list(SubjectAccessRequest.objects.filter(participant=participant))
    waiting = [r for r in requests if r.answered_on is None]
    context = record_context(request, participant)
    context.update(
        {
            "requests": requests,
            "today": timezone.localdate(),
            "copy_form": copy_form or CopyForm(waiting=waiting),
            "request_form": request_form or RequestForm(),
            "sections": [str(title) for title in gather.SECTIONS.values()],
            "withheld": [str(why) for _key, why in gather.WITHHELD],
            "language": participant.get_preferred_language_display(),
        }
    )
    return render(request, "subject_access/her_copy.html", context, status=status)


@login_required
@require_GET
def her_copy(request: AuthenticatedHttpRequest, participant_id: Any) -> HttpResponse:
    participant = access_her_copy(request, participant_id)
    audit_view(request, participant)
    return page(request, participant)


@login_required
@require_POST
def her_copy_make(request: AuthenticatedHttpRequest, participant_id: Any) -> HttpResponse:
    participant = access_her_copy(request, participant_id)
    waiting = list(SubjectAccessRequest.objects.unanswered().filter(participant=participant))
    form = CopyForm(request.POST, waiting=waiting)
    if not form.is_valid():
        return page(request, participant, copy_form=form, status=400)
    answers = actions.waiting_request(participant, form.cleaned_data["answers"])
    enrolments = gather.enrolments_of(participant, Enrolment.objects.visible_to(request.user))
    try:
        copy = actions.make_copy(
            participant,
            format=form.cleaned_data["format"],
            enrolments=enrolments,
            complete=False,
            by=request.user,
            answers=answers,
        )
    except ValidationError as error:
        apply_errors(form, error)
        return page(request, participant, copy_form=form, status=400)
    response = HttpResponse(copy.content, content_type=copy.content_type)
    response["Content-Disposition"] = f'attachment; filename="{copy.filename}"'
    response["Content-Language"] = copy.language
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def her_copy_request(request: AuthenticatedHttpRequest, participant_id: Any) -> HttpResponse:
    participant = access_her_copy(request, participant_id)
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            made = actions.record_request(
                participant, received_on=form.cleaned_data["received_on"], by=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Her request is recorded. Her copy is due by %(day)s.")
                % {"day": date_format(made.due_on)},
            )
            return redirect("her_copy", participant_id=participant.pk)
    return page(request, participant, request_form=form, status=400)

"""Erasure pages, under /erasure/: the requests (retention suggestions, proposals
waiting for a second person, recent decisions), a proposal by her code, and the
approval page that says what will be erased and what kept.

Views parse and render; `doorway.erasure.actions` checks, writes and audits. A role
that never proposes erasures gets 403; a request or record out of her reach answers
404, audited."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from doorway.audit.log import record
from doorway.audit.models import Action as AuditAction
from doorway.audit.refusal import refuse
from doorway.enrolments.access import participants_visible_to
from doorway.erasure import actions, eraser
from doorway.erasure.models import OPEN, ErasureKind, ErasureRequest
from doorway.people.capabilities import Action, may, programs_for
from doorway.people.models import Participant, User
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest

# Decided requests shown under the open ones.
RECENT = 20


def _proposer(request: AuthenticatedHttpRequest) -> User:
    user = request.user
    if not may(user, Action.PROPOSE_ERASURE):
        raise PermissionDenied(_("Erasures are proposed by case managers and program managers."))
    return user


def requests_for(user: User) -> Any:
    """The requests she sees: a program manager, her programs'; a case manager, those
    about women she reaches and those she proposed."""
    requests = ErasureRequest.objects.in_programs(programs_for(user, Action.PROPOSE_ERASURE))
    if not may(user, Action.APPROVE_ERASURE):
        reached = participants_visible_to(user).values("pk")
        requests = requests.filter(Q(participant__in=reached) | Q(proposed_by=user))
    return requests.select_related("program", "proposed_by", "decided_by")


def _request(request: AuthenticatedHttpRequest, request_id: Any) -> ErasureRequest:
    change = requests_for(request.user).filter(pk=request_id).first()
    if change is None:
        refuse(request, object_id=request_id, object_type="erasure.ErasureRequest")
    return cast(ErasureRequest, change)


class ProposeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Her code"),
        max_length=16,
        help_text=gettext_lazy("As on her record, for example EDH-4K7Q."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Why her record would be erased"),
        choices=ErasureKind.choices,
        initial=ErasureKind.HER_REQUEST,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Shown to the person who approves, then emptied once her record is erased. "
            "Do not write her name."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def erasure_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _proposer(request)
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        participant = participants_visible_to(user).filter(code=data["code"].strip()).first()
        if participant is None:
            form.add_error("code", _("No record you reach has that code."))
        else:
            try:
                actions.propose_erasure(
                    participant, by=user, reason=data["reason"], kind=data["kind"]
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.info(
                    request,
                    _("Proposed: her record is erased when a program manager approves it."),
                )
                return redirect("erasure_list")
    requests = requests_for(user)
    open_requests = list(requests.open().order_by("suggested_at"))
    decided = list(requests.exclude(status__in=OPEN).order_by("-decided_at")[:RECENT])
    record(AuditAction.LIST, actor=user, detail={"page": "erasure", "count": len(open_requests)})
    return render(
        request,
        "erasure/list.html",
        {
            "form": form,
            "open_requests": open_requests,
            "decided": decided,
            "me": user,
            "approves": may(user, Action.APPROVE_ERASURE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def erasure_approve(request: AuthenticatedHttpRequest, request_id: Any) -> HttpResponse:
    user = _proposer(request)
    change = _request(request, request_id)
    if not may(user, Action.APPROVE_ERASURE):
        raise PermissionDenied(_("Erasures are approved by a program manager of her program."))
    if change.proposed_by_id == user.pk:
        raise PermissionDenied(_("A second person must approve the erasure you proposed: not you."))
    participant = Participant.objects.filter(pk=change.participant_ref).first()
    error = ""
    if request.method == "POST":
        try:
            erased = actions.approve_erasure(change, by=user)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request,
                _("Erased %(code)s. The audit log keeps a tombstone.") % {"code": change.code}
                if not erased.kept_for_evaluation
                else _(
                    "Erased %(code)s. Her de-identified evaluation rows were kept: she "
                    "consents to the evaluation research."
                )
                % {"code": change.code},
            )
            return redirect("erasure_list")
    keeps = participant is not None and eraser.keeps_evaluation_rows(participant)
    return render(
        request,
        "erasure/approve.html",
        {"change": change, "keeps": keeps, "error": error, "here": participant is not None},
    )


@login_required
@require_POST
def erasure_decline(request: AuthenticatedHttpRequest, request_id: Any) -> HttpResponse:
    user = _proposer(request)
    change = _request(request, request_id)
    try:
        actions.decline_erasure(change, by=user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.info(
            request,
            _("Withdrawn.") if change.proposed_by_id == user.pk else _("Declined: nothing erased."),
        )
    return redirect("erasure_list")

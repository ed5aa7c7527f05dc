"""Pages for administrators: the audit log, verifying its chain, breaking the glass.

They sit with the other pages, above the audit app (which everything writes to, and so
imports nothing but the infrastructure) and above people, whose staff, participants and
break-the-glass action they show; mounted at /audit/ (`doorway.web.audit_urls`).

Anyone whose role does not read the audit log is answered 404. The log is paged by
entry id (keyset), never by counting or offsetting, so a page costs the same with a
hundred entries or with millions.

What an administrator reads on the log is her own agency's part of it (`_her_entries`):
an entry is hers when it was done by one of her agency's staff (`staff_for`), or is
about one of their accounts (a failed sign-in or lockout names the account as its
subject), or is about one of her agency's participants. Everything else is not shown to
any administrator: other agencies' entries, and the entries that belong to no agency
(failed sign-ins with a username nobody has, key rotations, entries written by
commands); whoever holds the server reads those with `doorway audit` and the database.
The participant-code filter looks the code up among her agency's participants only, so
a code of another agency answers exactly as a code that does not exist.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doorway.audit import tasks
from doorway.audit.log import record
from doorway.audit.models import Action, AuditEntry, ChainHead, VerifyRun
from doorway.people.actions import break_the_glass
from doorway.people.capabilities import staff_for
from doorway.people.models import BreakGlass, Participant, User
from doorway.people.roles import reads_audit_log
from doorway.web.audit_forms import BreakGlassForm, LogFilterForm
from doorway.web.forms import apply_errors

PAGE_SIZE = 50


def _require_auditor(request: HttpRequest) -> User:
    user = request.user
    if not user.is_authenticated or not user.is_active or not reads_audit_log(user):
        raise Http404
    return user


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    user = _require_auditor(request)
    form = LogFilterForm(request.GET or None)
    entries: list[AuditEntry] = []
    has_older = has_newer = False
    participant_id: str | None = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        queryset = _her_entries(user)
        code = data.get("participant")
        if code:
            # Administrators filter the log without reading her record: the code is
            # looked up to her id, whoever's caseload in her agency she is on. Another
            # agency's code answers as one that does not exist.
            found = (
                Participant.objects.filter(code=code, agency_id=user.agency_id)
                .values_list("pk", flat=True)
                .first()
                if user.agency_id is not None
                else None
            )
            if found is None:
                form.add_error("participant", _("No participant has that code."))
                queryset = queryset.none()
            else:
                participant_id = str(found)
                queryset = queryset.filter(participant_id=participant_id)
        username = data.get("staff")
        if username:
            actor = staff_for(user).filter(username__iexact=username).values_list("pk", flat=True)
            actor_id = actor.first()
            queryset = (
                queryset.filter(actor_id=str(actor_id))
                if actor_id is not None
                else queryset.filter(actor_username=username)
            )
        if data.get("action"):
            queryset = queryset.filter(action=data["action"])
        before, after = data.get("before"), data.get("after")
        if after is not None and before is None:
            entries = list(queryset.filter(pk__gt=after).order_by("pk")[: PAGE_SIZE + 1])
            has_newer = len(entries) > PAGE_SIZE
            entries = entries[:PAGE_SIZE][::-1]
            has_older = True
        else:
            if before is not None:
                queryset = queryset.filter(pk__lt=before)
            entries = list(queryset.order_by("-pk")[: PAGE_SIZE + 1])
            has_older = len(entries) > PAGE_SIZE
            entries = entries[:PAGE_SIZE]
            has_newer = before is not None
    # Reading the log is itself on the log; the filter values are staff usernames and
    # actions, never a participant's name.
    record(
        Action.LIST,
        request=request,
        participant=participant_id,
        detail={
            "log": True,
            "staff": form.cleaned_data.get("staff", "") if form.is_bound else "",
            "action": form.cleaned_data.get("action", "") if form.is_bound else "",
        },
    )
    codes = _codes_for(entries, user)
    rows = [(entry, codes.get(entry.participant_id, "")) for entry in entries]
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "rows": rows,
            "has_older": has_older,
            "has_newer": has_newer,
            "older_query": _page_query(request, before=entries[-1].pk) if entries else "",
            "newer_query": _page_query(request, after=entries[0].pk) if entries else "",
            "head": ChainHead.objects.filter(pk=1).first(),
            # Her latest check of the chain, so its progress or result stays in view.
            "run": VerifyRun.objects.filter(started_by=user).first(),
        },
    )


def _her_entries(user: User) -> QuerySet[AuditEntry]:
    """The entries about the administrator's agency (see the module's docstring): done
    by one of her agency's staff, about one of their accounts, or about one of her
    agency's participants. Two small queries for the ids (entries keep plain string
    identifiers, not foreign keys, so the ids are compared as strings); none at all for
    an administrator of no agency, who reads nothing."""
    if user.agency_id is None:
        return AuditEntry.objects.none()
    staff = [str(pk) for pk in staff_for(user).values_list("pk", flat=True)]
    participants = [
        str(pk)
        for pk in Participant.objects.filter(agency_id=user.agency_id).values_list("pk", flat=True)
    ]
    return AuditEntry.objects.filter(
        Q(actor_id__in=staff)
        | Q(object_type=User._meta.label, object_id__in=staff)
        | Q(participant_id__in=participants)
    )


def _codes_for(entries: list[AuditEntry], user: User) -> dict[str, str]:
    """Participant codes for a page of entries, in one query; her agency's only (an
    entry by her staff about someone elsewhere shows no code)."""
    ids = set()
    for entry in entries:
        try:
            ids.add(uuid.UUID(entry.participant_id))
        except ValueError:
            continue
    if not ids or user.agency_id is None:
        return {}
    return {
        str(pk): code
        for pk, code in Participant.objects.filter(
            pk__in=ids, agency_id=user.agency_id
        ).values_list("pk", "code")
    }


def _page_query(request: HttpRequest, **page: int) -> str:
    query = request.GET.copy()
    query.pop("before", None)
    query.pop("after", None)
    for key, value in page.items():
        query[key] = str(value)
    return query.urlencode()


@require_POST
@login_required
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Start a check of the whole log in the background: it reads every entry, so it
    runs only when asked, and its progress is shown to the administrator who asked."""
    user = _require_auditor(request)
    run = VerifyRun.objects.create(started_by=user)
    tasks.verify_log.enqueue(str(run.pk))
    if getattr(request, "htmx", False):
        run.refresh_from_db()
        return render(request, "audit/_verify_run.html", {"run": run})
    return redirect("audit_verify_run", run_id=run.pk)


def _own_run(request: HttpRequest, run_id: Any) -> VerifyRun:
    user = _require_auditor(request)
    run = VerifyRun.objects.filter(pk=run_id, started_by=user).first()
    if run is None:
        raise Http404
    return run


@login_required
def audit_verify_run(request: HttpRequest, run_id: Any) -> HttpResponse:
    return render(request, "audit/verify.html", {"run": _own_run(request, run_id)})


@login_required
def audit_verify_progress(request: HttpRequest, run_id: Any) -> HttpResponse:
    """The run's progress, polled while it runs; once it has ended, its result."""
    return render(request, "audit/_verify_run.html", {"run": _own_run(request, run_id)})


@login_required
def break_glass(request: HttpRequest) -> HttpResponse:
    user = _require_auditor(request)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Looked up in her agency only: another agency's code answers as an unknown one
        # (`break_the_glass` refuses another agency's record all the same).
        participant = (
            Participant.objects.filter(
                code=form.cleaned_data["code"], agency_id=user.agency_id
            ).first()
            if user.agency_id is not None
            else None
        )
        if participant is None:
            form.add_error("code", _("No participant has that code."))
        else:
            try:
                break_the_glass(participant, by=user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.warning(
                    request,
                    _(
                        "You have broken the glass for %(code)s. Your reason is on the "
                        "audit log, and the access ends by itself."
                    )
                    % {"code": participant.code},
                )
                try:
                    return redirect(
                        reverse("participant_detail", kwargs={"participant_id": participant.pk})
                    )
                except NoReverseMatch:
                    return redirect("break_glass")
    grants = (
        BreakGlass.objects.filter(user=user, expires_at__gt=timezone.now())
        .select_related("participant")
        .only("id", "opened_at", "expires_at", "reason", "participant__id", "participant__code")
        .order_by("expires_at")
    )
    return render(
        request,
        "audit/break_glass.html",
        {"form": form, "grants": grants},
        status=400 if form.errors else 200,
    )

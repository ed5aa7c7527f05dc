"""The caseload pages: who needs her this week, and (for a program manager) how the
workers' caseloads stand.

Both read the stored due items; nothing here computes a due date. Each page runs a
fixed number of queries whatever the number of participants.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.caseload import duplicates
from doorway.caseload.models import DueItem, DuePass, DuplicateNotice
from doorway.caseload.queries import OVERDUE, THIS_WEEK, caseload_rows
from doorway.enrolments.due import DueKind
from doorway.enrolments.models import Enrolment
from doorway.enrolments.reach import case_managers_covered_by
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may, programs_for
from doorway.people.models import User
from doorway.people.roles import Role
from doorway.web.http import AuthenticatedHttpRequest

# The overview counts, per worker, the participants overdue for each kind of work:
# "2 overdue for contact", not the due item's own name ("Contact due overdue").
OVERDUE_WORDS = {
    DueKind.CONTACT: "overdue for contact",
    DueKind.PHASE_REVIEW: "plan review overdue",
    DueKind.PHASE_OVERSTAYED: "longer than expected in their phase",
    DueKind.FOLLOW_UP: "follow-up overdue",
    DueKind.REFERRAL_NEWS: "referral with no news for two weeks",
    DueKind.CLOSING_NOTE: "closing note overdue",
}


def _check_role(user: User, action: Can) -> None:
    """A peer mentor or a case manager who may never use the page: 403. Roles with no
    caseload at all (evaluator, administrator): the page does not exist for them."""
    if may(user, action):
        return
    if user.role in {Role.PEER_MENTOR, Role.CASE_MANAGER}:
        raise PermissionDenied("Your role has no use of this page.")
    raise Http404("No such page.")


def _worker_in_reach(user: User, worker_id: str) -> User | None:
    """A case manager looks at her own caseload or a teammate's; a program manager at
    any case manager of her programs."""
    try:
        pk = uuid.UUID(worker_id)
    except ValueError:
        return None
    workers = User.objects.filter(pk=pk, role=Role.CASE_MANAGER)
    if user.role == Role.CASE_MANAGER:
        workers = workers.filter(pk__in=case_managers_covered_by(user))
    else:
        workers = workers.filter(programs__in=programs_for(user, Can.SEE_CASELOADS))
    return workers.distinct().first()


def _as_id(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return "not an id"


def caseload_in_scope(request: AuthenticatedHttpRequest) -> tuple[Any, User | None, str]:
    """The enrolments of the caseload asked for (`?scope=team`, `?worker=<id>`), the
    worker whose it is if one was named, and the scope's name. Used by the caseload
    page and its export alike. A worker out of reach answers 404, audited."""
    user = request.user
    enrolments = Enrolment.objects.visible_to(user)
    worker: User | None = None
    scope = "team" if request.GET.get("scope") == "team" else "mine"
    if worker_id := request.GET.get("worker"):
        worker = _worker_in_reach(user, worker_id)
        if worker is None:
            record(
                Action.REFUSED,
                request=request,
                # What was typed stays out of the log unless it is an id: it may be a name.
                detail={"object_type": "people.User", "object_id": _as_id(worker_id)},
            )
            raise Http404("No such caseload.")
        enrolments = enrolments.filter(case_manager=worker)
        scope = "mine" if worker.pk == user.pk else "worker"
    elif user.role == Role.CASE_MANAGER and scope == "mine":
        enrolments = enrolments.filter(case_manager=user)
    elif user.role == Role.PROGRAM_MANAGER:
        scope = "programs"
    return enrolments, worker, scope


@login_required
def caseload(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    _check_role(user, Can.SEE_CASELOADS)
    today = timezone.localdate()
    enrolments, worker, scope = caseload_in_scope(request)
    rows = caseload_rows(enrolments, today)
    # A list of participants' names is a read of their records: say whose.
    record(
        Action.LIST,
        request=request,
        detail={
            "page": "caseload",
            "scope": scope,
            "count": len(rows),
            "shown": [str(r.enrolment.participant_id) for r in rows],
        },
    )
    return render(
        request,
        "caseload/caseload.html",
        {
            "rows": rows,
            "today": today,
            "scope": scope,
            "worker": worker,
            "overdue": sum(1 for r in rows if r.group == OVERDUE),
            "due_this_week": sum(1 for r in rows if r.group == THIS_WEEK),
            "freshness": DuePass.objects.freshness(),
        },
    )


@login_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    _check_role(user, Can.BALANCE_CASELOADS)
    today = timezone.localdate()
    programs = list(programs_for(user, Can.BALANCE_CASELOADS).order_by("name"))
    ids = [p.pk for p in programs]
    reachable = Enrolment.objects.visible_to(user).filter(cycle__program__in=ids)
    loads: dict[Any, dict[Any, int]] = defaultdict(dict)
    for program_id, worker_id, n in (
        reachable.open()
        .values_list("cycle__program", "case_manager")
        .annotate(n=Count("id"))
        .order_by()
    ):
        loads[program_id][worker_id] = n
    overdue: dict[tuple[Any, Any], dict[str, int]] = defaultdict(dict)
    for program_id, worker_id, kind, n in (
        DueItem.objects.overdue(today)
        .filter(Exists(reachable.filter(pk=OuterRef("enrolment"))))
        .values_list("enrolment__cycle__program", "enrolment__case_manager", "kind")
        .annotate(n=Count("enrolment", distinct=True))
        .order_by()
    ):
        overdue[(program_id, worker_id)][kind] = n
    staff: dict[Any, list[tuple[Any, str]]] = defaultdict(list)
    for program_id, worker_id, first, last, username in (
        User.objects.filter(programs__in=ids, role=Role.CASE_MANAGER, is_active=True)
        .values_list("programs", "id", "first_name", "last_name", "username")
        .order_by("first_name", "last_name", "username")
    ):
        staff[program_id].append((worker_id, f"{first} {last}".strip() or username))
    summaries = []
    for program in programs:
        workers = []
        for worker_id, name in staff[program.pk]:
            count = loads[program.pk].get(worker_id, 0)
            by_kind = overdue.get((program.pk, worker_id), {})
            workers.append(
                {
                    "id": worker_id,
                    "name": name,
                    "count": count,
                    "over": count > program.caseload_limit,
                    "overdue": [
                        (OVERDUE_WORDS[kind], by_kind[kind.value])
                        for kind in DueKind
                        if kind.value in by_kind
                    ],
                }
            )
        summaries.append({"program": program, "workers": workers})
    record(Action.LIST, request=request, detail={"page": "caseload_overview"})
    return render(
        request,
        "caseload/overview.html",
        {
            "programs": summaries,
            "today": today,
            "open_duplicate_notices": DuplicateNotice.objects.open().filter(recipient=user).count(),
            "freshness": DuePass.objects.freshness(),
        },
    )


@login_required
@require_GET
def duplicate_notices(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Her possible duplicates to check: a worker looked up a name matching a record
    the worker cannot open. Program managers only."""
    user = request.user
    _check_role(user, Can.CHECK_DUPLICATES)
    notices = duplicates.open_notices_for(user)
    shown = sorted(
        {str(n.match_id) for n in notices}
        | {str(n.registered_id) for n in notices if n.registered_in_reach}  # type: ignore[attr-defined]  # set by open_notices_for
    )
    record(Action.LIST, request=request, detail={"page": "duplicate_notices", "shown": shown})
    return render(request, "caseload/duplicates.html", {"notices": notices})


@login_required
@require_POST
def duplicate_notice_resolve(
    request: AuthenticatedHttpRequest, notice_id: uuid.UUID
) -> HttpResponse:
    """She has checked: the notice leaves her list. Another manager's notice: 404."""
    user = request.user
    _check_role(user, Can.CHECK_DUPLICATES)
    notice = get_object_or_404(DuplicateNotice.objects.open(), pk=notice_id, recipient=user)
    duplicates.resolve_notice(notice, by=user, request=request)
    messages.success(request, gettext("Checked: the notice is cleared."))
    return redirect("duplicate_notices")

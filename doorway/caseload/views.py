"""The caseload pages: who needs her this week, and (for a program manager) how the
workers' caseloads stand.

Both read the stored due items; nothing here computes a due date. Each page runs a
fixed number of queries whatever the number of participants.
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter, defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.caseload import actions, cards, duplicates
from doorway.caseload.forms import CaseloadFilter, LiftSnoozeForm, SnoozeForm
from doorway.caseload.models import DueItem, DuePass, DuplicateNotice, Snooze
from doorway.caseload.permissions import clears_old_closing_notes, snoozes
from doorway.caseload.queries import (
    GROUP_NAMES,
    OLD_CLOSING_NOTE_DAYS,
    OVERDUE,
    THIS_WEEK,
    URGENT,
    numbered_phases,
    old_closing_notes,
    ranking,
    rows_by_id,
    worker_items,
)
from doorway.enrolments.access import access_enrolment, access_part
from doorway.enrolments.caseload_size import caseload_size
from doorway.enrolments.due import DueKind
from doorway.enrolments.models import Enrolment
from doorway.enrolments.reach import case_managers_covered_by
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may, programs_for
from doorway.people.models import User
from doorway.people.roles import Role
from doorway.programs.models import Cycle
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.pages import audit_view, record_page

# The overview counts, per worker, the participants overdue for each kind of work:
# "2 overdue for contact", not the due item's own name ("Contact due overdue").
# Women on a page of the caseload: a case manager's whole caseload fits on one.
PAGE_SIZE = 50
OVERDUE_WORDS = {
    DueKind.CONTACT: _("overdue for contact"),
    DueKind.PHASE_REVIEW: _("plan review overdue"),
    DueKind.PHASE_OVERSTAYED: _("longer than expected in their phase"),
    DueKind.FOLLOW_UP: _("follow-up overdue"),
    DueKind.REFERRAL_NEWS: _("referral with no news for two weeks"),
    DueKind.CLOSING_NOTE: _("closing note overdue"),
    DueKind.SAFE_CONTACT: _("safe-contact check overdue"),
}


def _check_role(user: User, action: Can) -> None:
    """A peer mentor or a case manager who may never use the page: 403. Roles with no
    caseload at all (evaluator, administrator): the page does not exist for them."""
    if may(user, action):
        return
    if user.role in {Role.PEER_MENTOR, Role.CASE_MANAGER}:
        raise PermissionDenied(gettext("Your role has no use of this page."))
    raise Http404(gettext("No such page."))


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
            raise Http404(gettext("No such caseload."))
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
    phases = numbered_phases(programs_for(user, Can.SEE_CASELOADS))
    filters = CaseloadFilter(request.GET, phases=phases)
    kind, phase = None, None
    if filters.is_valid():
        kind = filters.cleaned_data["kind"] or None
        phase = filters.chosen_phase()
    # A program's caseloads run to thousands of women: ranked by the database, and shown
    # a page at a time, so the page costs about the same whatever the program's size.
    ranks = ranking(enrolments, today, kind=kind, phase=phase)
    counts = Counter(group for _pk, group in ranks)
    page = Paginator(ranks, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [pk for pk, _group in page.object_list]
    rows = rows_by_id(shown, today, {p.pk: number for p, number in phases})
    cards.dress(rows, request)
    # A list of participants' names is a read of their records: say whose.
    record(
        Action.LIST,
        request=request,
        detail={
            "page": "caseload",
            "scope": scope,
            "count": len(ranks),
            "page_number": page.number,
            "shown": [str(r.enrolment.participant_id) for r in rows],
        },
    )
    groups = [
        (number, GROUP_NAMES[number], counts.get(number, 0), [r for r in rows if r.group == number])
        for number in sorted(GROUP_NAMES)
    ]
    is_manager = clears_old_closing_notes(user)
    return render(
        request,
        "caseload/caseload.html",
        {
            "rows": rows,
            "groups": [g for g in groups if g[3]],
            "page": page,
            "other_pages": _without_page(request),
            "today": today,
            "scope": scope,
            "worker": worker,
            "filters": filters,
            "filtered": bool(kind or phase),
            "size": caseload_size(enrolments),
            "urgent": counts.get(URGENT, 0),
            "overdue": counts.get(URGENT, 0) + counts.get(OVERDUE, 0),
            "due_this_week": counts.get(THIS_WEEK, 0),
            "old_closing_note_days": OLD_CLOSING_NOTE_DAYS,
            "old_closing_notes": (
                old_closing_notes(_managed(user), today).count() if is_manager else None
            ),
            "freshness": DuePass.objects.freshness(),
        },
        # Her own address asked for a filter that is not there: say so, not a 500.
        status=200 if filters.is_valid() else 400,
    )


def _without_page(request: AuthenticatedHttpRequest) -> str:
    """The caseload's address as asked (its scope and filters), for links to its other
    pages to add `page=` to."""
    kept = request.GET.copy()
    kept.pop("page", None)
    return kept.urlencode()


def _managed(user: User) -> Any:
    """The enrolments of the programs whose caseloads she balances: their cycles asked
    for by id, as the access rule does, so that each program's enrolments are found by
    the index on their cycle."""
    cycles = Cycle.objects.filter(program__in=programs_for(user, Can.BALANCE_CASELOADS))
    return Enrolment.objects.visible_to(user).filter(cycle__in=cycles.values("pk"))


def _back_to_caseload(back: str) -> str:
    """Where to go after a snooze: the caseload as it was (its filters), or plainly the
    caseload; never another site or page."""
    home = reverse("caseload")
    if back.startswith(home) and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return back
    return home


def _may_snooze(user: User) -> None:
    """Asked once her record is reached (out of reach: 404, audited, like her record)."""
    if not snoozes(user):
        raise PermissionDenied(gettext("Your role does not snooze items of a caseload."))


@login_required
@require_http_methods(["GET", "POST"])
def snooze(request: AuthenticatedHttpRequest, enrolment_id: uuid.UUID) -> HttpResponse:
    """Snooze one of her due items (`?kind=contact&subject=<id>`), with a reason, until
    a day. Her record must be in reach (else 404, audited)."""
    user = request.user
    enrolment = access_enrolment(request, enrolment_id)
    _may_snooze(user)
    bound = request.method == "POST"
    form = SnoozeForm(
        request.POST if bound else None,
        initial={
            "kind": request.GET.get("kind", ""),
            "subject": request.GET.get("subject") or None,
            "until": timezone.localdate() + datetime.timedelta(days=7),
        },
    )
    back = _back_to_caseload(request.POST.get("back") or request.GET.get("back") or "")
    if bound and form.is_valid():
        try:
            actions.snooze(
                enrolment,
                kind=form.cleaned_data["kind"],
                subject_id=form.cleaned_data["subject"],
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
                by=user,
            )
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(
                request,
                gettext("Snoozed until %(day)s for %(code)s.")
                % {
                    "day": date_format(form.cleaned_data["until"], "DATE_FORMAT"),
                    "code": enrolment.participant.code,
                },
            )
            return redirect(back)
    kind = form["kind"].value()
    today = timezone.localdate()
    items = [
        (item.badge(today), item)
        for item in DueItem.objects.filter(enrolment=enrolment, kind=kind or "")
        if str(item.subject_id or "") == str(form["subject"].value() or "")
    ]
    audit_view(request, enrolment.participant, subject=enrolment)
    response = record_page(
        request,
        enrolment,
        "caseload/snooze.html",
        form=form,
        items=items,
        today=today,
        back=back,
    )
    if bound:
        response.status_code = 400
    return response


@login_required
@require_POST
def lift_snooze(request: AuthenticatedHttpRequest, enrolment_id: uuid.UUID) -> HttpResponse:
    """Bring a snoozed item back onto the caseload now."""
    user = request.user
    enrolment = access_enrolment(request, enrolment_id)
    _may_snooze(user)
    form = LiftSnoozeForm(request.POST)
    back = _back_to_caseload(request.POST.get("back") or "")
    if not form.is_valid():
        messages.error(request, gettext("That snooze was not found; nothing was changed."))
        return redirect(back)
    snoozed = access_part(
        request, enrolment, Snooze.objects.filter(enrolment=enrolment), form.cleaned_data["snooze"]
    )
    actions.lift_snooze(snoozed, by=user)
    messages.success(
        request,
        gettext("The snooze is lifted: %(code)s's item is back on the caseload.")
        % {"code": enrolment.participant.code},
    )
    return redirect(back)


@login_required
@require_GET
def closing_notes_to_clear(request: AuthenticatedHttpRequest) -> HttpResponse:
    """For a program manager: the closing notes never written for women who graduated
    more than `OLD_CLOSING_NOTE_DAYS` ago, taken off her workers' caseloads."""
    user = request.user
    _check_role(user, Can.BALANCE_CASELOADS)
    today = timezone.localdate()
    enrolments = list(old_closing_notes(_managed(user), today))
    record(
        Action.LIST,
        request=request,
        detail={
            "page": "old_closing_notes",
            "count": len(enrolments),
            "shown": [str(e.participant_id) for e in enrolments],
        },
    )
    return render(
        request,
        "caseload/closing_notes.html",
        {
            "enrolments": enrolments,
            "today": today,
            "days": OLD_CLOSING_NOTE_DAYS,
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
        # As her caseload shows them: the old closing notes are on their own list.
        worker_items(today)
        .overdue(today)
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
                        (str(OVERDUE_WORDS[kind]), by_kind[kind.value])
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
            "old_closing_notes": old_closing_notes(_managed(user), today).count(),
            "old_closing_note_days": OLD_CLOSING_NOTE_DAYS,
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

"""Download pages: the exports page, and one view per export.

Each export is refused as its page is (a role with no exports at all: 404; a role with
other exports but not this one: 403), reaches records through the one access rule,
and is audited as an export naming the participants in the file, never their data.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.audit.refusal import refuse
from doorway.caseload.views import caseload_in_scope
from doorway.disclosures import what
from doorway.disclosures.log import record_disclosures
from doorway.disclosures.models import Channel
from doorway.dropins.models import GroupSession
from doorway.dropins.views import access_group_session
from doorway.enrolments.access import access_enrolment
from doorway.enrolments.models import Enrolment
from doorway.exchange.exports import queries
from doorway.exchange.exports.forms import FORMATS, RangeForm
from doorway.exchange.sheets import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes
from doorway.web.http import AuthenticatedHttpRequest

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone


def may_export(user: Someone, kind: str | None = None, *, reached: bool = False) -> list[str]:
    """Her exports; 404 when she has none (the pages do not exist for her), 403 when
    she has others but not `kind`, or when she reached the record the export is about
    (an administrator who broke the glass reads a record, never exports it)."""
    mine = queries.exports_for(user)
    if not mine:
        if reached:
            raise PermissionDenied(gettext("Your role does not export records."))
        raise Http404(gettext("No such page."))
    if kind is not None and kind not in mine:
        raise PermissionDenied(gettext("Your role has no use of this export."))
    return mine


def _format(request: AuthenticatedHttpRequest) -> str:
    fmt = request.GET.get("as", "csv")
    if fmt not in FORMATS:
        raise Http404(gettext("No such format."))
    return fmt


def _id_or_refuse(request: AuthenticatedHttpRequest, text: str, object_type: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        # What was typed stays out of the log unless it is an id.
        refuse(request, object_type=object_type)
        raise Http404(gettext("No such record.")) from None


def _page(
    request: AuthenticatedHttpRequest,
    kinds: list[str],
    bound: RangeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The exports page; `bound` is a range form that failed, shown with its errors."""
    sections = []
    for kind in kinds:
        form = bound if bound is not None and bound.kind == kind else RangeForm(kind=kind)
        sections.append({"kind": kind, "title": queries.TITLES[kind], "form": form})
    return render(
        request,
        "exchange/exports.html",
        {"sections": sections, "formats": FORMATS},
        status=status,
    )


@login_required
@require_GET
def exports_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request, may_export(request.user))


# What each export says about each woman in it (doorway.disclosures.what).
DISCLOSED = {
    queries.CASELOAD: [what.PARTICIPANT_CODE, what.PHASE, what.CASELOAD_GROUP, what.DUE_ITEMS],
    queries.CONTACTS: [what.PARTICIPANT_CODE, what.CONTACTS],
    queries.ATTENDANCE: [what.PARTICIPANT_CODE, what.ATTENDANCE],
}


def _download(
    request: AuthenticatedHttpRequest,
    sheet: queries.Sheet,
    fmt: str,
    name: str,
    *,
    participant: Any = None,
    detail: dict[str, Any],
) -> HttpResponse:
    record(
        Action.EXPORT,
        request=request,
        participant=participant,
        detail={
            "export": sheet.kind,
            "format": fmt,
            "rows": len(sheet.rows),
            "shown": sheet.participants,
            **detail,
        },
    )
    # The disclosure log: every woman in the file, with what the file says about her.
    record_disclosures(
        sheet.participants,
        channel=Channel.EXPORT,
        what=DISCLOSED[sheet.kind],
        by=request.user,
        recipient=what.DOWNLOADED,
    )
    if fmt == "xlsx":
        body = xlsx_bytes(sheet.header, sheet.rows, title=str(queries.TITLES[sheet.kind]))
        content_type = XLSX_TYPE
    else:
        body = csv_bytes(sheet.header, sheet.rows)
        content_type = CSV_TYPE
    response = HttpResponse(body, content_type=content_type)
    # The name says what and when, never whom.
    response["Content-Disposition"] = f'attachment; filename="doorway-{name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def _range_or_page(
    request: AuthenticatedHttpRequest, kinds: list[str], kind: str
) -> RangeForm | HttpResponse:
    form = RangeForm(request.GET, kind=kind)
    if not form.is_valid():
        return _page(request, kinds, form, status=400)
    return form


def _range_name(kind: str, start: datetime.date | None, end: datetime.date | None) -> str:
    today = timezone.localdate()
    if start is None and end is None:
        return f"{kind}-{today.isoformat()}"
    first = start.isoformat() if start else "start"
    return f"{kind}-{first}-to-{(end or today).isoformat()}"


@login_required
@require_GET
def caseload_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The caseload page's rows for the same scope: hers, her team's, a worker's, or
    (for a program manager) her programs'."""
    user = request.user
    may_export(user, queries.CASELOAD)
    fmt = _format(request)
    enrolments, _worker, scope = caseload_in_scope(request)
    today = timezone.localdate()
    sheet = queries.caseload_sheet(enrolments, today)
    return _download(
        request,
        sheet,
        fmt,
        f"caseload-{scope}-{today.isoformat()}",
        detail={"scope": scope},
    )


@login_required
@require_GET
def contacts_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Contacts of every enrolment she reaches, or of one (`enrolment=<id>`), between
    two dates."""
    user = request.user
    enrolments = Enrolment.objects.visible_to(user)
    participant = None
    if text := request.GET.get("enrolment"):
        # Her record first, as its pages do: out of reach is 404, audited.
        enrolment = access_enrolment(request, _id_or_refuse(request, text, "enrolments.Enrolment"))
        enrolments = enrolments.filter(pk=enrolment.pk)
        participant = enrolment.participant_id
    kinds = may_export(user, queries.CONTACTS, reached=participant is not None)
    fmt = _format(request)
    form = _range_or_page(request, kinds, queries.CONTACTS)
    if isinstance(form, HttpResponse):
        return form
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    sheet = queries.contacts_sheet(user, enrolments, start, end)
    return _download(
        request,
        sheet,
        fmt,
        _range_name("contacts", start, end),
        participant=participant,
        detail={
            "start": start.isoformat() if start else "",
            "end": end.isoformat() if end else "",
            "scope": "one" if participant else "all",
        },
    )


@login_required
@require_GET
def attendance_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Sessions of the programs she works in, or one (`session=<id>`), between two
    dates, each with who came as its register shows her."""
    user = request.user
    sessions = queries.sessions_for(user)
    session = None
    if text := request.GET.get("session"):
        # The session first, as its page does: out of reach is 404, audited.
        session = access_group_session(
            request, _id_or_refuse(request, text, "dropins.GroupSession")
        )
        sessions = GroupSession.objects.filter(pk=session.pk)
    kinds = may_export(user, queries.ATTENDANCE, reached=session is not None)
    fmt = _format(request)
    form = _range_or_page(request, kinds, queries.ATTENDANCE)
    if isinstance(form, HttpResponse):
        return form
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    name = _range_name("attendance", start, end)
    if session is not None:
        name = f"attendance-{session.kind}-{session.held_on.isoformat()}"
    sheet = queries.attendance_sheet(user, sessions, start, end)
    return _download(
        request,
        sheet,
        fmt,
        name,
        detail={
            "start": start.isoformat() if start else "",
            "end": end.isoformat() if end else "",
            "scope": "one" if request.GET.get("session") else "all",
        },
    )

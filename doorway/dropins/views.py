"""Drop-in pages: the program's sessions, starting one, and the attendance page built
for a phone (tap a name, it is marked; tap again, the mark is taken back).

A session is reached through the programs she works in (`permissions.programs_for`), and a
woman on it through the one access rule: a viewer sees the attendees she reaches by
preferred name and code, and the others only as a count.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.audit.refusal import refuse
from doorway.dropins import permissions, queries
from doorway.dropins.actions import count_anonymous, mark_attendance, start_session
from doorway.dropins.forms import SessionForm, WalkInSearchForm
from doorway.dropins.models import GroupSession
from doorway.enrolments.models import Enrolment
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.pages import is_htmx

PAGE_SIZE = 30


def access_group_session(request: AuthenticatedHttpRequest, session_id: Any) -> GroupSession:
    """A drop-in or group session of a program she works in; otherwise 404, audited."""
    session = (
        GroupSession.objects.in_programs(permissions.programs_for(request.user))
        .select_related("program", "created_by")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        refuse(request, object_id=session_id, object_type="dropins.GroupSession")
    return session


def reaches_sessions(request: AuthenticatedHttpRequest) -> None:
    """Someone with no program to work in has no register here at all."""
    if not permissions.programs_for(request.user).exists():
        refuse(request, object_type="dropins.GroupSession")


def must_take_attendance(request: AuthenticatedHttpRequest) -> None:
    if not permissions.takes_attendance(request.user):
        raise PermissionDenied(_("Your role does not take attendance."))


@login_required
@require_GET
def session_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    reaches_sessions(request)
    user = request.user
    programs = permissions.programs_for(user)
    page = Paginator(queries.sessions_for_list(programs), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    sessions = list(page)
    record(
        Action.LIST,
        request=request,
        detail={
            "object_type": GroupSession._meta.label,
            "shown": [str(s.pk) for s in sessions],
        },
    )
    return render(
        request,
        "dropins/session_list.html",
        {
            "page": page,
            "sessions": sessions,
            "several_programs": len({s.program_id for s in sessions}) > 1 or programs.count() > 1,
            "takes_attendance": permissions.takes_attendance(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    reaches_sessions(request)
    must_take_attendance(request)
    user = request.user
    form = SessionForm(request.POST if request.method == "POST" else None, user=user)
    if form.is_bound and form.is_valid():
        try:
            session = start_session(form.cleaned_data["program"], by=user, **form.values())
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(request, _("The session was started: tap the names of who is here."))
            return redirect("session_attendance", session_id=session.pk)
    return render(request, "dropins/session_form.html", {"form": form})


def attendance_context(
    request: AuthenticatedHttpRequest, session: GroupSession, **extra: Any
) -> dict[str, Any]:
    user = request.user
    takes = permissions.takes_attendance(user)
    register = queries.register_for(session, user, with_expected=takes)
    # Who was shown by name, never what was searched.
    record(
        Action.VIEW,
        request=request,
        subject=session,
        detail={"shown": [str(e.participant_id) for e in register.shown()]},
    )
    return {
        "session": session,
        "register": register,
        "takes_attendance": takes,
        "facilitators": list(session.facilitators.all()),
        "search_form": WalkInSearchForm(),
        **extra,
    }


@login_required
@require_GET
def session_attendance(request: AuthenticatedHttpRequest, session_id: Any) -> HttpResponse:
    session = access_group_session(request, session_id)
    return render(request, "dropins/session_attendance.html", attendance_context(request, session))


def back_to(session: GroupSession, anchor: str = "") -> HttpResponse:
    url = reverse("session_attendance", args=[session.pk])
    return redirect(url + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def attendance_mark(request: AuthenticatedHttpRequest, session_id: Any) -> HttpResponse:
    """One tap: mark her present, or take the mark back (`attended` is the new state,
    so that a double tap or a resent form does no harm)."""
    session = access_group_session(request, session_id)
    must_take_attendance(request)
    try:
        enrolment_id = uuid.UUID(request.POST.get("enrolment", ""))
    except ValueError:
        refuse(request, object_type="enrolments.Enrolment")
    enrolment = permissions.access_markable(request, session, enrolment_id)
    attended = request.POST.get("attended") == "1"
    try:
        mark_attendance(session, enrolment, by=request.user, attended=attended)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return back_to(session)
    if not permissions.reaches(request.user, enrolment):
        # Another team's woman: counted among the others from now on, so say it once.
        if attended:
            messages.success(
                request,
                _("%(code)s is marked present: her attendance is on her record.")
                % {"code": enrolment.participant.code},
            )
        return back_to(session, "walk-in-heading")
    if is_htmx(request):
        register = queries.register_for(session, request.user, with_expected=False)
        return render(
            request,
            "dropins/_mark_response.html",
            {"session": session, "enrolment": enrolment, "register": register},
        )
    return back_to(session, f"mark-{enrolment.pk}")


@login_required
@require_POST
def attendance_anonymous(request: AuthenticatedHttpRequest, session_id: Any) -> HttpResponse:
    session = access_group_session(request, session_id)
    must_take_attendance(request)
    change = -1 if request.POST.get("change") == "-1" else 1
    count_anonymous(session, by=request.user, change=change)
    if is_htmx(request):
        register = queries.register_for(session, request.user, with_expected=False)
        return render(
            request,
            "dropins/_anonymous.html",
            {"session": session, "register": register, "takes_attendance": True, "oob": True},
        )
    return back_to(session, "anonymous")


@login_required
@require_POST
def walk_in_search(request: AuthenticatedHttpRequest, session_id: Any) -> HttpResponse:
    """A name is posted, never put in an address. Shows women she reaches who are not
    expected at this session: a graduate, or someone from another of the programs."""
    session = access_group_session(request, session_id)
    must_take_attendance(request)
    form = WalkInSearchForm(request.POST)
    candidates: list[Any] = []
    if form.is_valid():
        candidates = queries.walk_in_candidates(session, request.user, form.cleaned_data["q"])
        record(
            Action.SEARCH,
            request=request,
            subject=session,
            detail={
                "object_type": "enrolments.Enrolment",
                "shown": [str(c.enrolment.participant_id) for c in candidates],
                # Shown by first name and code though out of her reach: the session's
                # program's women on other teams.
                "outside_reach": [
                    str(c.enrolment.participant_id) for c in candidates if not c.reached
                ],
            },
        )
    present = set(session.attendances.values_list("enrolment_id", flat=True))
    context = {
        "search_form": form,
        "candidates": candidates,
        "present": present,
        "searched": form.is_valid(),
    }
    if is_htmx(request):
        return render(request, "dropins/_walk_in_results.html", {"session": session, **context})
    return render(
        request,
        "dropins/session_attendance.html",
        attendance_context(request, session, **context),
    )


def attendance_section(request: AuthenticatedHttpRequest, enrolment: Enrolment) -> dict[str, Any]:
    """The enrolment page's drop-ins and groups: counts by kind and her latest dates,
    in a fixed number of queries. Everyone who reaches her sees it (a peer mentor too:
    attendance is her work)."""
    return {
        "template": "dropins/_attendance_section.html",
        "dropins_attendance": queries.attendance_summary(enrolment),
    }

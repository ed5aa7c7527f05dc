"""What every page about one participant shares: the header of her record (safety
flags, an administrator's open break-the-glass access, what the viewer may see and do),
the audit of a read, and whether the request came from htmx.

Used by the pages of people, enrolments, casework, plans, referrals, instruments and
drop-ins; it depends on them only through their models and the capability rule."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.enrolments.models import Enrolment
from doorway.people import roles
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may
from doorway.people.models import BreakGlass, Participant, User
from doorway.web.http import AuthenticatedHttpRequest


def break_glass_grant(user: User, participant_id: Any) -> BreakGlass | None:
    """The administrator's open break-the-glass access to her, shown on every page."""
    if not may(user, Can.BREAK_GLASS):
        return None
    return (
        BreakGlass.objects.filter(
            user=user, participant_id=participant_id, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )


def record_context(request: AuthenticatedHttpRequest, participant: Participant) -> dict[str, Any]:
    """What the header of every page about her needs: safety flags and notices."""
    user = request.user
    return {
        "participant": participant,
        "flags": list(participant.active_flags().select_related("added_by")),
        "break_glass": break_glass_grant(user, participant.pk),
        "sees_identity": roles.sees_identity(user),
        "sees_case_content": roles.sees_case_content(user),
        "changes_records": roles.changes_records(user),
    }


def record_page(
    request: AuthenticatedHttpRequest, enrolment: Enrolment, template: str, **extra: Any
) -> HttpResponse:
    """A page about one of her enrolments: her record's header, the enrolment, `extra`."""
    context = record_context(request, enrolment.participant)
    context.update({"enrolment": enrolment, **extra})
    return render(request, template, context)


def audit_view(
    request: AuthenticatedHttpRequest, participant: Participant, subject: Any = None
) -> None:
    """A read of her record (or of `subject`, one of its parts), in the audit log."""
    record(Action.VIEW, request=request, participant=participant, subject=subject or participant)


def is_htmx(request: AuthenticatedHttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))

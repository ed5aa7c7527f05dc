"""The casework forms that keep drafts, each checked as its own view checks: the
record or team reached (404, audited) and the role's capability (403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from doorway.casework import permissions
from doorway.casework.outreach.views import access_outreach_program
from doorway.casework.supervision.views import access_supervision_session
from doorway.casework.transfer import actions as transfer_of_care
from doorway.drafts.registry import register
from doorway.enrolments.access import access_enrolment
from doorway.enrolments.models import Enrolment
from doorway.web.http import AuthenticatedHttpRequest


def contact(request: AuthenticatedHttpRequest, about: str) -> Enrolment:
    enrolment = access_enrolment(request, about)
    if not permissions.records_contacts(request.user):
        raise PermissionDenied
    return enrolment


def contact_edit(request: AuthenticatedHttpRequest, about: str) -> Enrolment:
    enrolment = access_enrolment(request, about)
    if not permissions.edits_contacts(request.user):
        raise PermissionDenied
    return enrolment


def transfer(request: AuthenticatedHttpRequest, about: str) -> Enrolment:
    enrolment = access_enrolment(request, about)
    if not transfer_of_care.writes_transfer(request.user):
        raise PermissionDenied
    return enrolment


def supervision_review(request: AuthenticatedHttpRequest, about: str) -> None:
    access_supervision_session(request, about)


def outreach(request: AuthenticatedHttpRequest, about: str) -> None:
    access_outreach_program(request, about)


def register_all() -> None:
    register("contact", contact)
    register("contact-edit", contact_edit)
    register("transfer-meeting", transfer)
    register("closing-note", transfer)
    register("supervision-review", supervision_review)
    register("outreach", outreach)

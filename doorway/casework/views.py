"""Contact pages: record, edit, and a contact's earlier versions; and the contacts
section of the enrolment page.

Every view calls `access_enrolment` first (404 and an audited refusal when out of
reach), then checks the role's capability in `rules` (403). Reading a note is audited.
"""

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
from doorway.casework import permissions
from doorway.casework.actions import contact_version, edit_contact, record_contact
from doorway.casework.forms import ContactForm
from doorway.casework.models import CONTACT_HISTORY, Contact, late_after_days
from doorway.concurrency import StaleVersion
from doorway.enrolments.access import access_enrolment, access_part
from doorway.enrolments.models import Enrolment
from doorway.enrolments.safe_contact import safe_contact_context
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.pages import audit_view, record_page


def access_contact(
    request: AuthenticatedHttpRequest, enrolment_id: Any, contact_id: Any
) -> Contact:
    """A contact of an enrolment she reaches; otherwise 404, audited."""
    enrolment = access_enrolment(request, enrolment_id)
    contacts = Contact.objects.select_related("recorded_by").filter(enrolment=enrolment)
    contact = access_part(request, enrolment, contacts, contact_id)
    contact.enrolment = enrolment
    return contact


def audit_note_read(request: AuthenticatedHttpRequest, contact: Contact) -> None:
    record(
        Action.VIEW,
        request=request,
        participant=contact.enrolment.participant_id,
        subject=contact,
        detail={"note": True},
    )


def contacts_section(request: AuthenticatedHttpRequest, enrolment: Enrolment) -> dict[str, Any]:
    """The enrolment page's contacts, newest first, in a fixed number of queries. When
    the notes are shown, their reading is audited in one entry."""
    user = request.user
    contacts = list(permissions.contacts_listed_for(user, enrolment.contacts.for_page()))
    reads_notes = permissions.reads_case_notes(user)
    if reads_notes and contacts:
        record(
            Action.VIEW,
            request=request,
            participant=enrolment.participant_id,
            detail={
                "object_type": Contact._meta.label,
                "notes": [str(c.pk) for c in contacts],
            },
        )
    return {
        "template": "casework/_contacts.html",
        "contacts": contacts,
        "reads_notes": reads_notes,
        "may_record_contact": permissions.records_contacts(user),
        "may_edit_contacts": permissions.edits_contacts(user),
        "late_days": late_after_days(),
    }


def before_contacting_her(
    request: AuthenticatedHttpRequest, enrolment: Enrolment
) -> dict[str, Any]:
    """Her safe-contact instructions on the contact form, for those who see her identity
    (a peer mentor sees her safety flags only, in the page's header)."""
    check_days = enrolment.cycle.program.safe_contact_check_days if enrolment.is_open else None
    return safe_contact_context(
        request.user, enrolment.participant, check_days, request.get_full_path()
    )


def enrolment_url(enrolment: Enrolment) -> str:
    return reverse("enrolment_detail", args=[enrolment.pk]) + "#contacts"


@login_required
@require_http_methods(["GET", "POST"])
def contact_record(request: AuthenticatedHttpRequest, enrolment_id: Any) -> HttpResponse:
    enrolment = access_enrolment(request, enrolment_id)
    user = request.user
    if not permissions.records_contacts(user):
        raise PermissionDenied("Your role does not record contacts.")
    form = ContactForm(
        request.POST if request.method == "POST" else None, enrolment=enrolment, user=user
    )
    if form.is_bound and form.is_valid():
        try:
            record_contact(enrolment, by=user, **form.values())
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(request, _("The contact was recorded."))
            return redirect(enrolment_url(enrolment))
    audit_view(request, enrolment.participant, subject=enrolment)
    return record_page(
        request,
        enrolment,
        "casework/contact_form.html",
        form=form,
        contact=None,
        **before_contacting_her(request, enrolment),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(
    request: AuthenticatedHttpRequest, enrolment_id: Any, contact_id: Any
) -> HttpResponse:
    contact = access_contact(request, enrolment_id, contact_id)
    enrolment = contact.enrolment
    user = request.user
    if not permissions.edits_contacts(user):
        raise PermissionDenied("Your role does not edit contacts.")
    bound = request.method == "POST"
    form = ContactForm(
        request.POST if bound else None,
        enrolment=enrolment,
        user=user,
        contact=contact,
        version=contact_version(contact),
    )
    if bound and form.is_valid():
        try:
            edit_contact(contact, by=user, expected_version=form.expected_version, **form.values())
        except StaleVersion:
            contact.refresh_from_db()
            form.show_theirs(contact_version(contact), ContactForm.values_of(contact))
        except ValidationError as refusal:
            contact.refresh_from_db()
            apply_errors(form, refusal)
        else:
            messages.success(request, _("The contact was saved; the earlier version is kept."))
            return redirect(enrolment_url(enrolment))
    if not bound:
        audit_note_read(request, contact)
    return record_page(request, enrolment, "casework/contact_form.html", form=form, contact=contact)


@login_required
@require_GET
def contact_history(
    request: AuthenticatedHttpRequest, enrolment_id: Any, contact_id: Any
) -> HttpResponse:
    contact = access_contact(request, enrolment_id, contact_id)
    if not permissions.reads_case_notes(request.user):
        raise PermissionDenied("Case notes are read by the care team only.")
    versions = list(
        contact.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    # Each version's focus areas, in one query for all versions.
    links = CONTACT_HISTORY.m2m_models[Contact._meta.get_field("focus_areas")].objects
    areas: dict[int, list[str]] = {}
    for history_id, name in links.filter(history__in=versions).values_list(
        "history_id", "focusarea__name"
    ):
        areas.setdefault(history_id, []).append(name)
    for version in versions:
        version.area_names = areas.get(version.history_id, [])
    audit_note_read(request, contact)
    return record_page(
        request,
        contact.enrolment,
        "casework/contact_history.html",
        contact=contact,
        versions=versions,
    )

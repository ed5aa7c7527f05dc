"""What each export holds: the rows of a page, as that page shows them to her.

Every export starts from the one access rule (`Enrolment.objects.visible_to(user)`) and
keeps to the fields the page shows her role, with two things left out on purpose: a
file travels further than a page, so a participant appears by her code only (never a
name) and no free text written about her (case notes, her words on a goal) is put in.

Each builder runs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext, gettext_lazy

from doorway.caseload.queries import caseload_rows
from doorway.casework import permissions as contact_permissions
from doorway.casework.models import Contact
from doorway.dropins import permissions as dropin_permissions
from doorway.dropins.models import Attendance, GroupSession
from doorway.enrolments.models import Enrolment
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone
    from doorway.people.models import User

CASELOAD, CONTACTS, ATTENDANCE = "caseload", "contacts", "attendance"

# Which roles may take which export: the roles whose pages show those rows. An
# evaluator has the research export (de-identified, consented) and nothing here; an
# administrator reads records only through break-the-glass, which is for one woman's
# record, never a file.
CAPABILITY = {
    CASELOAD: Can.EXPORT_CASELOAD,
    CONTACTS: Can.EXPORT_CONTACTS,
    ATTENDANCE: Can.EXPORT_ATTENDANCE,
}

TITLES = {
    CASELOAD: gettext_lazy("Caseload"),
    CONTACTS: gettext_lazy("Contacts"),
    ATTENDANCE: gettext_lazy("Drop-in and group attendance"),
}


def exports_for(user: Someone) -> list[str]:
    """The exports her role may take, in the order the exports page lists them."""
    return [kind for kind in (CASELOAD, CONTACTS, ATTENDANCE) if may(user, CAPABILITY[kind])]


@dataclass
class Sheet:
    """One export: a header, its rows, and the participants it names (for the audit)."""

    kind: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)


def _joined(names: list[str]) -> str:
    return "; ".join(names)


# --- Caseload --------------------------------------------------------------------------

CASELOAD_HEADER = [
    gettext_lazy("Participant code"),
    gettext_lazy("Phase or exit"),
    gettext_lazy("Group"),
    gettext_lazy("Days overdue (most)"),
    gettext_lazy("Next due"),
    gettext_lazy("Due items"),
]


def caseload_sheet(enrolments: QuerySet[Enrolment], today: datetime.date) -> Sheet:
    """The caseload page's rows, in its order. `enrolments` is already narrowed by the
    access rule and the page's scope. Two queries."""
    sheet = Sheet(CASELOAD, [str(h) for h in CASELOAD_HEADER])
    for row in caseload_rows(enrolments, today):
        enrolment = row.enrolment
        status = (
            enrolment.get_exit_reason_display()
            if enrolment.exit_reason
            else enrolment.current_phase.name
        )
        dues = [
            (
                gettext("%(due)s (was due %(day)s)")
                if b.state == "overdue"
                else gettext("%(due)s (due %(day)s)")
            )
            % {"due": b.label, "day": b.due_on.isoformat()}
            for b in row.badges
        ]
        sheet.rows.append(
            [
                enrolment.participant.code,
                status,
                row.group_name,
                row.most_overdue,
                row.next_due,
                _joined(dues) or gettext("Nothing due"),
            ]
        )
        sheet.participants.append(str(enrolment.participant_id))
    return sheet


# --- Contacts --------------------------------------------------------------------------

CONTACTS_HEADER = [
    gettext_lazy("Participant code"),
    gettext_lazy("Date"),
    gettext_lazy("Kind"),
    gettext_lazy("Duration (minutes)"),
    gettext_lazy("Focus areas"),
    gettext_lazy("Key ingredients"),
    gettext_lazy("Written late"),
    gettext_lazy("Edited"),
    gettext_lazy("Recorded by"),
    gettext_lazy("Recorded at"),
]


CONTACT_COLUMNS = ("happened_on", "duration_minutes", "kind", "is_late", "edited_at", "recorded_at")
STAFF_NAME = ("first_name", "last_name", "username")


def _names_by_contact(through: Any, name: str, contacts: Any) -> dict[Any, list[str]]:
    names: dict[Any, list[str]] = {}
    for contact_id, value in through.objects.filter(contact__in=contacts).values_list(
        "contact_id", name
    ):
        names.setdefault(contact_id, []).append(value)
    return names


def contacts_sheet(
    user: User,
    enrolments: QuerySet[Enrolment],
    start: datetime.date | None,
    end: datetime.date | None,
) -> Sheet:
    """Contacts of the enrolments she reaches (`enrolments`, already narrowed by the
    access rule), as the contacts list shows them to her: a peer mentor, only the peer
    contacts she recorded herself. Oldest first, dates inclusive. Three queries."""
    contacts = Contact.objects.filter(Exists(enrolments.filter(pk=OuterRef("enrolment"))))
    if start is not None:
        contacts = contacts.filter(happened_on__gte=start)
    if end is not None:
        contacts = contacts.filter(happened_on__lte=end)
    contacts = (
        contact_permissions.contacts_listed_for(user, contacts)
        .select_related("recorded_by", "enrolment__participant")
        # Only what the file holds: the note and her identity stay encrypted, unread.
        .only(
            *CONTACT_COLUMNS,
            "enrolment",
            "enrolment__participant",
            "enrolment__participant__code",
            "recorded_by",
            *(f"recorded_by__{name}" for name in STAFF_NAME),
        )
        .order_by("happened_on", "recorded_at", "pk")
    )
    # The links by name, one query each (a prefetch would build every linked object).
    chosen = contacts.values("pk")
    areas = _names_by_contact(Contact.focus_areas.through, "focusarea__name", chosen)
    ingredients = _names_by_contact(Contact.ingredients.through, "keyingredient__name", chosen)
    sheet = Sheet(CONTACTS, [str(h) for h in CONTACTS_HEADER])
    seen: set[str] = set()
    for contact in contacts:
        participant = contact.enrolment.participant
        sheet.rows.append(
            [
                participant.code,
                contact.happened_on,
                contact.get_kind_display(),
                contact.duration_minutes,
                _joined(sorted(areas.get(contact.pk, []))),
                _joined(sorted(ingredients.get(contact.pk, []))),
                contact.is_late,
                contact.edited_at is not None,
                str(contact.recorded_by),
                contact.recorded_at,
            ]
        )
        if str(participant.pk) not in seen:
            seen.add(str(participant.pk))
            sheet.participants.append(str(participant.pk))
    return sheet


# --- Attendance ------------------------------------------------------------------------

ATTENDANCE_HEADER = [
    gettext_lazy("Date"),
    gettext_lazy("Kind"),
    gettext_lazy("Topic"),
    gettext_lazy("Program"),
    gettext_lazy("Facilitators"),
    gettext_lazy("Attended in all"),
    gettext_lazy("Women you work with who came (codes)"),
    gettext_lazy("Others with a record (not shown to you)"),
    gettext_lazy("Walk-ins without a record"),
]


def sessions_for(user: User) -> QuerySet[GroupSession]:
    """The sessions her drop-in pages show: those of the programs she works in."""
    return GroupSession.objects.in_programs(dropin_permissions.programs_for(user))


def attendance_sheet(
    user: User,
    sessions: QuerySet[GroupSession],
    start: datetime.date | None,
    end: datetime.date | None,
) -> Sheet:
    """One row per session, as its register shows it to her: the women she reaches by
    code, everyone else as a count. Oldest first, dates inclusive. Four queries."""
    if start is not None:
        sessions = sessions.filter(held_on__gte=start)
    if end is not None:
        sessions = sessions.filter(held_on__lte=end)
    chosen = list(
        sessions.select_related("program")
        .prefetch_related(Prefetch("facilitators"))
        .order_by("held_on", "created_at", "pk")
    )
    ids = [s.pk for s in chosen]
    attended: dict[Any, list[Any]] = {}
    for session_id, enrolment_id in Attendance.objects.filter(session__in=ids).values_list(
        "session_id", "enrolment_id"
    ):
        attended.setdefault(session_id, []).append(enrolment_id)
    # The one access rule decides whom she may see by code.
    reached = {
        e.pk: e
        for e in Enrolment.objects.visible_to(user)
        .filter(Exists(Attendance.objects.filter(enrolment=OuterRef("pk"), session__in=ids)))
        .select_related("participant")
        .only("participant", "participant__code")
    }
    sheet = Sheet(ATTENDANCE, [str(h) for h in ATTENDANCE_HEADER])
    seen: set[str] = set()
    for session in chosen:
        came = attended.get(session.pk, [])
        shown = sorted((reached[e] for e in came if e in reached), key=lambda e: e.participant.code)
        sheet.rows.append(
            [
                session.held_on,
                session.get_kind_display(),
                session.topic,
                session.program.name,
                _joined([str(p) for p in session.facilitators.all()]),
                len(came) + session.anonymous_walk_ins,
                _joined([e.participant.code for e in shown]),
                len(came) - len(shown),
                session.anonymous_walk_ins,
            ]
        )
        for enrolment in shown:
            if str(enrolment.participant_id) not in seen:
                seen.add(str(enrolment.participant_id))
                sheet.participants.append(str(enrolment.participant_id))
    return sheet

"""Outreach in the pre-phase: who may record and read it, recording, the pre-phase
summary, and linking earlier outreach contacts to a woman's new record once she
consents. Each write checks, writes and audits in one transaction; the audit entry
names fields, never the nickname or the note."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.casework.models import (
    Material,
    OutreachContact,
    OutreachKind,
    OutreachMaterial,
    OutreachQuerySet,
)
from doorway.encryption import normalise, outreach_nickname_digest
from doorway.enrolments.models import Enrolment, EventKind
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may, programs_for
from doorway.people.models import User
from doorway.programs.models import Program

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone

MAX_WOMEN = 500
FIELDS = ("happened_on", "kind", "place", "women_reached", "nickname", "materials",
          "referrals_in", "note")  # fmt: skip

# --- who may do what -------------------------------------------------------------------

# Peer mentors do outreach too; evaluators get counts elsewhere; administrators do not
# write case records.


def works_outreach(user: Someone) -> bool:
    return may(user, Can.WORK_OUTREACH)


def reads_all_nicknames(user: Someone) -> bool:
    """Nicknames and notes of everyone's entries; a peer mentor reads only her own."""
    return may(user, Can.LINK_OUTREACH)


def reads_private(user: User, contact: OutreachContact) -> bool:
    return reads_all_nicknames(user) or contact.recorded_by_id == user.pk


def links_outreach(user: Someone) -> bool:
    return may(user, Can.LINK_OUTREACH)


def outreach_programs(user: Someone) -> QuerySet[Program]:
    """The programs whose outreach log she works in."""
    return programs_for(user, Can.WORK_OUTREACH).order_by("name")


# --- recording ---------------------------------------------------------------------------


def check_outreach(
    *,
    happened_on: datetime.date | None,
    kind: str,
    place: str,
    women_reached: int | None,
    referrals_in: int | None,
    materials: Iterable[str],
) -> None:
    errors: dict[str, str] = {}
    if happened_on is None:
        errors["happened_on"] = _("Give the date of the outreach.")
    elif happened_on > timezone.localdate():
        errors["happened_on"] = _("Outreach cannot be dated in the future.")
    if kind not in OutreachKind.values:
        errors["kind"] = _("Choose the kind of outreach.")
    if not place.strip():
        errors["place"] = _("Describe the place (never an address or a name).")
    if women_reached is None or not 1 <= women_reached <= MAX_WOMEN:
        errors["women_reached"] = _("Give the number of women reached, from 1 to %(most)s.") % {
            "most": MAX_WOMEN
        }
    if referrals_in is None or referrals_in < 0:
        errors["referrals_in"] = _("Give the number of women who asked to be referred (0 or more).")
    elif women_reached is not None and 1 <= women_reached < referrals_in:
        errors["referrals_in"] = _("More women asked to be referred than were reached.")
    if any(m not in Material.values for m in materials):
        errors["materials"] = _("Choose materials from the list.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_outreach(
    program: Program,
    *,
    by: User,
    happened_on: datetime.date | None,
    kind: str,
    place: str,
    women_reached: int | None,
    nickname: str = "",
    materials: Iterable[str] = (),
    referrals_in: int | None = 0,
    note: str = "",
) -> OutreachContact:
    if not works_outreach(by):
        raise PermissionDenied("Your role does not record outreach.")
    if not outreach_programs(by).filter(pk=program.pk).exists():
        raise PermissionDenied("You do not work in this program.")
    chosen = sorted(set(materials))
    nickname, note, place = nickname.strip(), note.strip(), place.strip()
    check_outreach(
        happened_on=happened_on,
        kind=kind,
        place=place,
        women_reached=women_reached,
        referrals_in=referrals_in,
        materials=chosen,
    )
    assert happened_on is not None
    assert women_reached is not None
    assert referrals_in is not None
    contact = OutreachContact.objects.create(
        program=program,
        happened_on=happened_on,
        kind=kind,
        place=place,
        women_reached=women_reached,
        nickname=nickname,
        nickname_digest=outreach_nickname_digest(nickname) if normalise(nickname) else "",
        referrals_in=referrals_in,
        note=note,
        recorded_by=by,
    )
    OutreachMaterial.objects.bulk_create(
        [OutreachMaterial(outreach=contact, material=m) for m in chosen]
    )
    given = {"nickname": nickname, "note": note, "materials": chosen}
    record(
        Action.CREATE,
        actor=by,
        subject=contact,
        detail={"fields": [f for f in FIELDS if f not in given or given[f]]},
    )
    return contact


# --- the pre-phase summary -------------------------------------------------------------


@dataclass(frozen=True)
class OutreachSummary:
    contacts: int
    women_reached: int
    referrals_in: int
    materials: list[tuple[str, int]]  # (label, count) in the list's order


def summarise(program: Program, start: datetime.date, end: datetime.date) -> OutreachSummary:
    """Counts only, in two queries."""
    contacts = OutreachContact.objects.filter(
        program=program, happened_on__gte=start, happened_on__lte=end
    )
    totals = contacts.aggregate(
        contacts=Count("pk"), women=Sum("women_reached"), referrals=Sum("referrals_in")
    )
    given = dict(
        OutreachMaterial.objects.filter(outreach__in=contacts)
        .values_list("material")
        .annotate(n=Count("pk"))
        .values_list("material", "n")
    )
    return OutreachSummary(
        contacts=totals["contacts"] or 0,
        women_reached=totals["women"] or 0,
        referrals_in=totals["referrals"] or 0,
        materials=[(str(m.label), given.get(m.value, 0)) for m in Material],
    )


# --- linking to her record --------------------------------------------------------------


def _check_linker(enrolment: Enrolment, by: User) -> None:
    if not links_outreach(by):
        raise PermissionDenied("Your role does not link outreach contacts.")
    # The one access rule, asked again: the action is called from more than pages.
    if not Enrolment.objects.visible_to(by).filter(pk=enrolment.pk).exists():
        raise PermissionDenied("She is not in your reach.")


def outreach_until(enrolment: Enrolment) -> datetime.date:
    """Outreach belongs to the pre-phase: contacts up to the day she moved on from her
    program's first phase can be hers (up to today while she is still in it; up to her
    referral if she started past it)."""
    first = enrolment.cycle.program.active_phases().first()
    today = timezone.localdate()
    if first is None or (enrolment.current_phase_id == first.pk and enrolment.is_open):
        return today
    moved_on = (
        enrolment.events.filter(kind__in=[EventKind.ADVANCED, EventKind.SKIPPED], from_phase=first)
        .order_by("effective_on")
        .values_list("effective_on", flat=True)
        .first()
    )
    return moved_on or enrolment.referred_on


def linkable_for(enrolment: Enrolment, nickname: str = "") -> OutreachQuerySet:
    contacts = OutreachContact.objects.unlinked().filter(
        program=enrolment.cycle.program_id, happened_on__lte=outreach_until(enrolment)
    )
    if nickname.strip():
        contacts = contacts.with_nickname(nickname)
    return contacts


@transaction.atomic
def link_outreach(
    enrolment: Enrolment, contacts: Iterable[OutreachContact], *, by: User
) -> list[OutreachContact]:
    """Link earlier outreach contacts of her program to her record (she consented)."""
    _check_linker(enrolment, by)
    ids = [c.pk for c in contacts]
    if not ids:
        raise ValidationError({"contacts": _("Choose the outreach contacts to link.")})
    rows = list(
        OutreachContact.objects.select_for_update().filter(pk__in=ids).order_by("happened_on")
    )
    program_id = enrolment.cycle.program_id
    if len(rows) != len(set(ids)) or any(r.program_id != program_id for r in rows):
        raise ValidationError({"contacts": _("Choose outreach contacts of her program only.")})
    if any(r.participant_id is not None for r in rows):
        raise ValidationError(
            {"contacts": _("One of these contacts is already linked to a record.")}
        )
    until = outreach_until(enrolment)
    if any(r.happened_on > until for r in rows):
        raise ValidationError(
            {
                "contacts": _(
                    "Link outreach from before she moved on from the first phase (%(date)s) "
                    "only: later contacts are not her outreach."
                )
                % {"date": f"{until:%Y-%m-%d}"}
            }
        )
    now = timezone.now()
    for row in rows:
        row.participant_id = enrolment.participant_id
        row.linked_at = now
        row.linked_by = by
    OutreachContact.objects.bulk_update(rows, ["participant", "linked_at", "linked_by"])
    record(
        Action.CHANGE,
        actor=by,
        participant=enrolment.participant_id,
        subject=enrolment,
        detail={"event": "outreach_linked", "outreach": [str(r.pk) for r in rows]},
    )
    return rows


@transaction.atomic
def unlink_outreach(enrolment: Enrolment, contact: OutreachContact, *, by: User) -> None:
    """Undo a link made by mistake: the contact goes back to the unlinked log."""
    _check_linker(enrolment, by)
    if (
        contact.participant_id != enrolment.participant_id
        or contact.program_id != enrolment.cycle.program_id
    ):
        raise ValidationError({"contacts": _("That outreach contact is not linked to her.")})
    contact.participant = None
    contact.linked_at = None
    contact.linked_by = None
    contact.save(update_fields=["participant", "linked_at", "linked_by"])
    record(
        Action.CHANGE,
        actor=by,
        participant=enrolment.participant_id,
        subject=contact,
        detail={"event": "outreach_unlinked"},
    )

"""Her safe-contact instructions kept fresh.

Survivor-safety guidance says to check back with her regularly: a phone that was safe
in spring may be read by someone else by summer. Her record keeps the day she last
said her instructions still hold (`Participant.safe_contact_confirmed_on`); each program
says how often to ask again (`Program.safe_contact_check_days`). This module answers
"when is the next check due, and is it late?" for the pages that show her instructions,
and writes a confirmation.

The check is due `safe_contact_check_days` after she last confirmed them; if she never
has, that many days after she was registered (the age of what Doorway holds). Where she
has more than one open enrolment, the strictest program's setting applies. Her
instructions, their date and the button to confirm them are shown only to those who
see her identity (`Action.SEE_IDENTITY`); a peer mentor sees the safety flags only.

Confirming (and editing the instructions, which she gives when they change) sets the
date, audits it, and asks the caseload to recompute her due items
(`refresh_after_commit`), so the "confirm her safe-contact instructions" item clears.
The people app below cannot call the caseload's refresh, so these writes live here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.enrolments.due import refresh_after_commit
from doorway.enrolments.models import Enrolment
from doorway.people import actions as people_actions
from doorway.people import roles
from doorway.people.models import Participant, User
from doorway.programs.models import Program


def sees_safe_contact(user: User) -> bool:
    """Her instructions are identifying: those who see her identity read them."""
    return roles.sees_identity(user)


def confirms_safe_contact(user: User) -> bool:
    """Those who change her identifying details (her case manager, her program manager)
    record that she confirmed her instructions; a peer mentor and an administrator who
    broke the glass do not."""
    return roles.changes_records(user) and roles.sees_identity(user)


def registered_on(participant: Participant) -> datetime.date:
    return timezone.localdate(participant.registered_at)


def confirmation_due_on(
    confirmed_on: datetime.date | None, registered: datetime.date, check_days: int
) -> datetime.date:
    """The day her instructions are next to be confirmed with her."""
    return (confirmed_on or registered) + datetime.timedelta(days=check_days)


@dataclass(frozen=True)
class SafeContact:
    """Her instructions as a page shows them, beside the day she last confirmed them."""

    instructions: str
    confirmed_on: datetime.date | None
    # The day the next check is due; None when no open enrolment of hers asks for one.
    due_on: datetime.date | None
    # Her program's setting (the strictest of her open enrolments'), when there is one.
    check_days: int | None
    today: datetime.date

    @property
    def never_confirmed(self) -> bool:
        return self.confirmed_on is None

    @property
    def stale(self) -> bool:
        """Older than her program's setting: the page shows it as a warning."""
        return self.due_on is not None and self.today > self.due_on

    @property
    def confirmed_today(self) -> bool:
        return self.confirmed_on == self.today


def check_days_of(enrolments: Iterable[Enrolment]) -> int | None:
    """The strictest `safe_contact_check_days` of her open enrolments' programs (loaded
    with `cycle__program`); None when she has no open enrolment. No query."""
    days = [e.cycle.program.safe_contact_check_days for e in enrolments if e.is_open]
    return min(days, default=None)


def open_check_days(participant: Participant) -> int | None:
    """As `check_days_of`, for a page that has not loaded her enrolments. One query."""
    days = (
        Enrolment.objects.filter(participant=participant)
        .open()
        .values_list("cycle__program__safe_contact_check_days", flat=True)
    )
    return min(days, default=None)


def safe_contact_of(
    participant: Participant, check_days: int | None, today: datetime.date | None = None
) -> SafeContact:
    """Her instructions and their freshness, for someone who sees her identity."""
    today = today or timezone.localdate()
    due_on = None
    if check_days is not None:
        due_on = confirmation_due_on(
            participant.safe_contact_confirmed_on, registered_on(participant), check_days
        )
    return SafeContact(
        instructions=participant.safe_contact or "",
        confirmed_on=participant.safe_contact_confirmed_on,
        due_on=due_on,
        check_days=check_days,
        today=today,
    )


def check_days_changed(program: Program) -> None:
    """Her program now asks more or less often: its open enrolments' due items are
    recomputed once the change commits (one background task for them all)."""
    for enrolment_id in (
        Enrolment.objects.filter(cycle__program=program).open().values_list("pk", flat=True)
    ):
        refresh_after_commit(enrolment_id)


def _refresh_her_dues(participant: Participant) -> None:
    for enrolment_id in (
        Enrolment.objects.filter(participant=participant).open().values_list("pk", flat=True)
    ):
        refresh_after_commit(enrolment_id)


@transaction.atomic
def confirm_safe_contact(participant: Participant, *, by: User) -> bool:
    """She said today that her safe-contact instructions still hold (or gave new ones):
    the date is set, the change audited (the field's name, never the instructions), and
    her due items recomputed. False when they were already confirmed today."""
    today = timezone.localdate()
    # Locked and read again: two people confirming at once write (and audit) once.
    confirmed = (
        Participant.objects.select_for_update()
        .values_list("safe_contact_confirmed_on", flat=True)
        .get(pk=participant.pk)
    )
    participant.safe_contact_confirmed_on = today
    if confirmed == today:
        return False
    # One field only: whatever else of hers the caller holds is not written back.
    participant.save(update_fields=["safe_contact_confirmed_on"])
    record(
        Action.CHANGE,
        actor=by,
        participant=participant,
        subject=participant,
        detail={"fields": ["safe_contact_confirmed_on"]},
    )
    _refresh_her_dues(participant)
    return True


@transaction.atomic
def update_identity(
    participant: Participant, *, by: User, expected_version: str | None = None, **values: Any
) -> list[str]:
    """`doorway.people.actions.update_identity`, where new safe-contact instructions are
    confirmed instructions: she gave them today. The date is written with them, in the
    same save and under the same audit entry (which names `safe_contact`)."""
    before = participant.safe_contact_confirmed_on
    if "safe_contact" in values and values["safe_contact"] != participant.safe_contact:
        participant.safe_contact_confirmed_on = timezone.localdate()
    try:
        changed = people_actions.update_identity(
            participant, by=by, expected_version=expected_version, **values
        )
    except BaseException:
        participant.safe_contact_confirmed_on = before
        raise
    if "safe_contact" not in changed:
        participant.safe_contact_confirmed_on = before
        return changed
    if participant.safe_contact_confirmed_on != before:
        changed.append("safe_contact_confirmed_on")
        _refresh_her_dues(participant)
    return changed


def safe_contact_context(
    user: User, participant: Participant, check_days: int | None, back: str
) -> dict[str, Any]:
    """What a page adds to show her instructions (`enrolments/_safe_contact.html`):
    nothing for someone who does not see her identity. `back`: the page the confirm
    button returns to."""
    if not sees_safe_contact(user):
        return {}
    return {
        "safe_contact": safe_contact_of(participant, check_days),
        "may_confirm_safe_contact": confirms_safe_contact(user),
        "safe_contact_back": back,
    }

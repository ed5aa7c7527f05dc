"""What is due for whom: the CTI rhythm as due-date rules, and the one call that asks
for them to be recomputed.

A rule takes the enrolments a refresh covers and says what is due for each, and from
which day. The refresh (`doorway.caseload.refresh`) runs every rule in its `RULES` and
stores the answers as `DueItem` rows; nobody types a due date.

Every action that writes something a rule reads (a contact, a phase move or exit, an
eligibility decision, a plan review, a referral or its news, a questionnaire, a closing
note) calls `refresh_after_commit(enrolment)` inside its transaction. Nothing listens
for saves: an action that does not call it leaves the dates to the daily pass, and the
behaviour tests of each action (caseload/tests/test_actions_refresh.py) say so.

A rule: ``def rule(enrolments: Sequence[Enrolment]) -> Iterable[Due]``, in a FIXED number
of queries for any number of enrolments (aggregate in SQL; never a query per enrolment).
`enrolments` are those the refresh covers, with current_phase and cycle__program loaded;
a rule picks the ones it is about (open ones, graduated ones) itself.

Each rule returns its dues whatever today is: the page compares `due_on` with today, so
what it shows is right even on a day the daily refresh has not run yet.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID
from weakref import WeakKeyDictionary

from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Max
from django.utils import timezone

from doorway.programs.models import ContactCadence

if TYPE_CHECKING:
    from doorway.enrolments.models import Enrolment


CONTACT_LABELS = {
    ContactCadence.WEEKLY: "Weekly contact",
    ContactCadence.FORTNIGHTLY: "Contact every two weeks",
    ContactCadence.MONTHLY: "Monthly contact",
}


class DueKind(models.TextChoices):
    CONTACT = "contact", "Contact due"  # under her phase's cadence
    PHASE_REVIEW = "phase_review", "Plan review due"  # after each phase change
    PHASE_OVERSTAYED = "phase_overstayed", "Longer than expected in this phase"
    FOLLOW_UP = "follow_up", "Follow-up due"  # one month after graduation
    REFERRAL_NEWS = "referral_news", "Referral with no news"  # two weeks
    CLOSING_NOTE = "closing_note", "Closing note to write"


# A referral is due for news this many days after its last dated step; the caseload
# shows "no news for N days" from it (N = days past due_on + this).
REFERRAL_NEWS_DAYS = 14
# A follow-up still undone this many days after it fell due is no longer asked for.
FOLLOW_UP_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Due:
    enrolment_id: UUID
    kind: DueKind
    due_on: datetime.date  # the day it becomes due; overdue when today > due_on
    label: str  # short, no personal data: "Weekly contact", "Housing referral to X"
    subject_id: UUID | None = None  # the record it is about (a referral), when there is one


def refresh_after_commit(enrolment: Enrolment | UUID | str) -> None:
    """Recompute this enrolment's due items in the background once the current
    transaction commits (at once outside a transaction); a rolled-back transaction asks
    for nothing. Every call in one transaction joins one batch, enqueued as one task when
    it commits, however many savepoints the calls were made in: the thousand actions of an
    import cost one task, not a thousand.

    A batch is remembered for the connection with the list of commit hooks it was
    registered in. Django gives that list a new identity when the transaction commits or
    rolls back and when a savepoint rolls back (it rebuilds it without the hooks of that
    savepoint), so while the list keeps its identity the batch still waits, and a call
    joins it in O(1). (A call whose own savepoint later rolls back leaves its id in the
    batch: one needless refresh, of a record that may no longer exist, which the refresh
    ignores.)"""
    enrolment_id = str(getattr(enrolment, "pk", enrolment))
    connection = transaction.get_connection()
    remembered = _waiting.get(connection)
    if remembered is not None:
        batch, hooks = remembered
        if hooks is connection.run_on_commit and not batch.done:
            batch.ids.add(enrolment_id)
            return
    batch = _Batch({enrolment_id})
    transaction.on_commit(batch, robust=True)
    _waiting[connection] = (batch, connection.run_on_commit)


class _Batch:
    """The enrolments one transaction changed, enqueued as one task when it commits."""

    def __init__(self, ids: set[str]) -> None:
        self.ids = ids
        # Run (a test's capture runs hooks without taking them off the list).
        self.done = False

    def __call__(self) -> None:
        # The task module sits above every app whose rules it runs, and this module is
        # imported by those apps: the task is looked up when the batch runs.
        from doorway.caseload.tasks import refresh_due

        self.done = True
        if self.ids:
            refresh_due.enqueue(sorted(self.ids))


# Each connection's waiting batch, with the hook list it was registered in. A connection
# belongs to one thread, so each thread reads and writes its own entry only.
_waiting: WeakKeyDictionary[BaseDatabaseWrapper, tuple[_Batch, list[Any]]] = WeakKeyDictionary()


def contact_due(enrolments: Sequence[Enrolment]) -> Iterable[Due]:
    """Open enrolments in a phase with a cadence: due the cadence's days after her last
    contact with the care team since the phase began (peer contacts are the peer
    mentor's, not the care team's), or after the phase start if there has been none.
    One query."""
    from doorway.casework.models import Contact, ContactKind

    watched = [
        e for e in enrolments if e.is_open and ContactCadence(e.current_phase.contact_cadence).days
    ]
    if not watched:
        return []
    last = dict(
        Contact.objects.filter(enrolment__in=[e.pk for e in watched])
        .exclude(kind=ContactKind.PEER_CONTACT)
        .values_list("enrolment")
        .annotate(last=Max("happened_on"))
        .order_by()
    )
    dues = []
    for e in watched:
        cadence = ContactCadence(e.current_phase.contact_cadence)
        assert cadence.days is not None
        since = e.phase_started_on
        if (contact_on := last.get(e.pk)) is not None and contact_on > since:
            since = contact_on
        dues.append(
            Due(
                enrolment_id=e.pk,
                kind=DueKind.CONTACT,
                due_on=since + datetime.timedelta(days=cadence.days),
                label=CONTACT_LABELS[cadence],
            )
        )
    return dues


def phase_overstayed(enrolments: Sequence[Enrolment]) -> Iterable[Due]:
    """Open enrolments in a phase with an expected length: due the day that length is
    reached, overdue from the day after. No query."""
    dues = []
    for e in enrolments:
        expected = e.current_phase.expected_days
        if not e.is_open or not expected:
            continue
        dues.append(
            Due(
                enrolment_id=e.pk,
                kind=DueKind.PHASE_OVERSTAYED,
                due_on=e.phase_started_on + datetime.timedelta(days=expected),
                label=f"Expected about {expected} days in {e.current_phase.name}",
            )
        )
    return dues


def follow_up_due(enrolments: Sequence[Enrolment]) -> Iterable[Due]:
    """Graduates: the follow-up questionnaire is due one calendar month after graduation,
    until a completed follow-up is on her record (or the window for it has passed).
    One query."""
    from doorway.enrolments.models import ExitReason

    oldest = follow_up_window_start()
    graduates = [
        e
        for e in enrolments
        if e.exit_reason == ExitReason.GRADUATED
        and e.exited_on is not None
        and e.exited_on >= oldest
    ]
    if not graduates:
        return []
    done = follow_ups_done([e.pk for e in graduates])
    return [
        Due(
            enrolment_id=e.pk,
            kind=DueKind.FOLLOW_UP,
            due_on=one_month_after(e.exited_on),  # type: ignore[arg-type]
            label="Follow-up questionnaire, one month after graduation",
        )
        for e in graduates
        if e.pk not in done
    ]


def follow_up_window_start(today: datetime.date | None = None) -> datetime.date:
    """Graduations before this day are past asking: the follow-up was missed, and
    reminding a worker of it years later helps nobody."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=31 + FOLLOW_UP_WINDOW_DAYS)


def follow_ups_done(enrolment_ids: Sequence[Any]) -> set[Any]:
    """Enrolments with a completed follow-up questionnaire (the instruments part)."""
    from doorway.instruments.queries import follow_ups_done as done

    return set(done(enrolment_ids))


def one_month_after(day: datetime.date) -> datetime.date:
    """The same day next month, or that month's last day (31 January -> 28/29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )

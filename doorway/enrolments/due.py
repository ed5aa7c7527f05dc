"""What is due on an enrolment: the words every due-date rule answers in, and the one call
that asks for an enrolment's due dates to be recomputed.

The rules themselves sit beside the records they read (`plans/due.py`, `referrals/due.py`,
`casework/due.py`, the caseload's own in `caseload/due.py`); the caseload runs them all
(`doorway.caseload.refresh`) and stores the answers as `DueItem` rows. This module is
below all of them, so that each can say what is due without importing the caseload.

Every action that writes something a rule reads (a contact, a phase move or exit, an
eligibility decision, a plan review, a referral or its news, a questionnaire, a closing
note) calls `refresh_after_commit(enrolment)` inside its transaction. Nothing listens
for saves: an action that does not call it leaves the dates to the daily pass, and the
behaviour tests of each action (caseload/tests/test_actions_refresh.py) say so.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID
from weakref import WeakKeyDictionary

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

if TYPE_CHECKING:
    from doorway.enrolments.models import Enrolment


class DueKind(models.TextChoices):
    CONTACT = "contact", "Contact due"  # under her phase's cadence
    PHASE_REVIEW = "phase_review", "Plan review due"  # after each phase change
    PHASE_OVERSTAYED = "phase_overstayed", "Longer than expected in this phase"
    FOLLOW_UP = "follow_up", "Follow-up due"  # one month after graduation
    REFERRAL_NEWS = "referral_news", "Referral with no news"  # two weeks
    CLOSING_NOTE = "closing_note", "Closing note to write"
    CONSENT_LAPSING = "consent_lapsing", "Consent to share lapsing"  # 30 days ahead
    SHARING_UNCONSENTED = "sharing_unconsented", "Sharing referral without consent"
    # Her safe-contact instructions, confirmed with her every so many days (her program's).
    SAFE_CONTACT = "safe_contact", "Safe-contact instructions to confirm"


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
        self.done = True
        if self.ids:
            if _refresh_in_background is None:
                raise ImproperlyConfigured(
                    "Nothing refreshes due dates: the caseload app gives its background "
                    "task to refresh_in_background_with() when it is ready."
                )
            _refresh_in_background(sorted(self.ids))


# Each connection's waiting batch, with the hook list it was registered in. A connection
# belongs to one thread, so each thread reads and writes its own entry only.
_waiting: WeakKeyDictionary[BaseDatabaseWrapper, tuple[_Batch, list[Any]]] = WeakKeyDictionary()


# The caseload's background refresh (`doorway.caseload.tasks.refresh_due.enqueue`), handed
# down by the caseload app when Django is ready (`CaseloadConfig.ready`): the task runs
# every rule, so it sits above every app that calls `refresh_after_commit`.
_refresh_in_background: Callable[[list[str]], Any] | None = None


def refresh_in_background_with(enqueue: Callable[[list[str]], Any]) -> None:
    """Use `enqueue(enrolment_ids)` to refresh the enrolments a transaction changed."""
    global _refresh_in_background  # set once, when Django is ready
    _refresh_in_background = enqueue

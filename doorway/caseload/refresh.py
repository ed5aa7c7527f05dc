"""Recomputing what is due: the only code that writes `DueItem` rows.

`RULES` is the one list of due-date rules: a new rule is written beside the records it
reads (as `plans/due.py` is) and added here, and the actions that write those records
call `doorway.enrolments.due.refresh_after_commit`.

`refresh(enrolment_ids)` runs every rule over those enrolments and replaces their rows
in one transaction, in a fixed number of queries per batch of `BATCH` enrolments.
`refresh_everyone()` does it for every enrolment the caseload watches. The background
tasks in `doorway.caseload.tasks` call these; so do the tests and the demo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from doorway.caseload.consents import consents_lapsing, sharing_without_consent
from doorway.caseload.due import (
    contact_due,
    follow_up_due,
    follow_up_window_start,
    phase_overstayed,
)
from doorway.caseload.models import DueItem
from doorway.caseload.safe_contact import safe_contact_check_due
from doorway.casework.due import closing_notes_due
from doorway.enrolments.due import Due
from doorway.enrolments.models import Enrolment, ExitReason
from doorway.plans.due import plan_reviews_due
from doorway.referrals.due import referrals_without_news

# Enrolments per batch: keeps each IN (...) list well inside every database's limit.
BATCH = 500


# Run in this order by every refresh.
RULES: list[Callable[[Sequence[Enrolment]], Iterable[Due]]] = [
    contact_due,
    phase_overstayed,
    follow_up_due,
    plan_reviews_due,
    referrals_without_news,
    closing_notes_due,
    safe_contact_check_due,
    consents_lapsing,
    sharing_without_consent,
]


def rules() -> list[Callable[[Sequence[Enrolment]], Iterable[Due]]]:
    return list(RULES)


def compute(enrolments: Sequence[Enrolment]) -> list[Due]:
    dues: list[Due] = []
    for rule in rules():
        dues.extend(rule(enrolments))
    return dues


def refresh(enrolment_ids: Iterable[Any]) -> int:
    """Replace the due items of these enrolments with freshly computed ones; returns how
    many were written. Ids of enrolments that no longer exist are ignored."""
    ids = sorted({str(i) for i in enrolment_ids})
    written = 0
    for start in range(0, len(ids), BATCH):
        written += _refresh_batch(ids[start : start + BATCH])
    return written


def _refresh_batch(ids: list[str]) -> int:
    now = timezone.now()
    with transaction.atomic():
        enrolments = list(
            Enrolment.objects.filter(pk__in=ids).select_related("current_phase", "cycle__program")
        )
        dues = compute(enrolments)
        DueItem.objects.filter(enrolment_id__in=ids).delete()
        DueItem.objects.bulk_create(
            DueItem(
                enrolment_id=due.enrolment_id,
                kind=due.kind,
                due_on=due.due_on,
                label=due.label[:200],
                subject_id=due.subject_id,
                computed_at=now,
            )
            for due in dues
        )
    return len(dues)


def watched() -> Q:
    """The enrolments the daily refresh covers: the open ones, and graduates still
    within the follow-up window (follow-up, closing note)."""
    return Q(exit_reason="") | Q(
        exit_reason=ExitReason.GRADUATED, exited_on__gte=follow_up_window_start()
    )


def refresh_everyone() -> int:
    """Recompute every watched enrolment; clear the items of those no longer watched
    (she withdrew, or graduated long ago). A fixed number of queries per batch."""
    covered = Enrolment.objects.filter(watched())
    DueItem.objects.exclude(enrolment__in=covered).delete()
    return refresh(covered.values_list("pk", flat=True))

"""The caseload, ranked by what needs doing, in a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from doorway.caseload.models import DueItem
from doorway.enrolments.models import Enrolment

# Groups, in the order the page shows them.
OVERDUE, THIS_WEEK, LATER = 0, 1, 2
GROUP_NAMES = {OVERDUE: "Overdue", THIS_WEEK: "Due this week", LATER: "The rest"}


@dataclass
class Badge:
    text: str
    state: str  # overdue, due, later
    due_on: datetime.date
    label: str


@dataclass
class Row:
    enrolment: Enrolment
    group: int
    most_overdue: int
    next_due: datetime.date | None
    badges: list[Badge] = field(default_factory=list)

    @property
    def participant(self) -> Any:
        return self.enrolment.participant

    @property
    def group_name(self) -> str:
        return GROUP_NAMES[self.group]


def caseload_rows(enrolments: QuerySet[Enrolment], today: datetime.date) -> list[Row]:
    """Her open enrolments, and closed ones with something still due (a graduate's
    follow-up): overdue first, most overdue at the top; then due this week, soonest
    first; then the rest. Two queries."""
    items = DueItem.objects.order_by("due_on", "kind")
    chosen = (
        enrolments.filter(
            Q(exit_reason="") | Exists(DueItem.objects.filter(enrolment=OuterRef("pk")))
        )
        .select_related("participant", "current_phase")
        .prefetch_related(Prefetch("due_items", queryset=items, to_attr="dues"))
    )
    rows = []
    for enrolment in chosen:
        dues: list[DueItem] = enrolment.dues
        # Already by date, hence overdue first, then due this week, then later.
        badges = [Badge(d.badge(today), d.state(today), d.due_on, d.label) for d in dues]
        most_overdue = max((d.days_overdue(today) for d in dues), default=0)
        states = {b.state for b in badges}
        group = OVERDUE if "overdue" in states else THIS_WEEK if "due" in states else LATER
        next_due = min((d.due_on for d in dues), default=None)
        rows.append(Row(enrolment, group, most_overdue, next_due, badges))
    rows.sort(
        key=lambda r: (
            r.group,
            -r.most_overdue,
            r.next_due or datetime.date.max,
            r.enrolment.participant.code,
        )
    )
    return rows

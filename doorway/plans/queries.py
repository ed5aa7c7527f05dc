"""Reading her plan: when a plan review is due, and what the plan page shows, each in a
fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Max, Min

from doorway.enrolments.models import PHASE_EVENTS, Enrolment, JourneyEvent
from doorway.programs.models import Phase


@dataclass(frozen=True)
class ReviewDue:
    since: datetime.date  # the day of the phase change
    phase_name: str


def reviews_due(enrolments: Sequence[Enrolment]) -> dict[UUID, ReviewDue]:
    """Each phase change asks for a plan review: an open enrolment past her program's
    first phase, whose plan was agreed before she entered her phase, is due a review
    from that day until a review dated on or after it exists. A plan agreed in her
    phase (or none yet) is this phase's plan: there is nothing to review. Two queries,
    whatever the number of enrolments (`current_phase` and `cycle` must be loaded)."""
    current = [e for e in enrolments if e.is_open]
    if not current:
        return {}
    program_ids = {e.cycle.program_id for e in current}
    first_order: dict[Any, int] = dict(
        Phase.objects.filter(program_id__in=program_ids)
        .values("program")
        .annotate(first=Min("order"))
        .values_list("program", "first")
    )
    past_first = [
        e for e in current if e.current_phase.order > first_order.get(e.cycle.program_id, 0)
    ]
    if not past_first:
        return {}
    plans = {
        pk: (agreed_on, last_review)
        for pk, agreed_on, last_review in Enrolment.objects.filter(
            pk__in=[e.pk for e in past_first], service_plan__isnull=False
        )
        .annotate(last_review=Max("plan_reviews__reviewed_on"))
        .values_list("pk", "service_plan__agreed_on", "last_review")
    }
    due = {}
    for enrolment in past_first:
        if enrolment.pk not in plans:
            continue
        agreed_on, last = plans[enrolment.pk]
        if agreed_on >= enrolment.phase_started_on:
            continue
        if last is None or last < enrolment.phase_started_on:
            due[enrolment.pk] = ReviewDue(enrolment.phase_started_on, enrolment.current_phase.name)
    return due


def review_due_since(enrolment: Enrolment) -> datetime.date | None:
    found = reviews_due([enrolment]).get(enrolment.pk)
    return found.since if found else None


def phase_change_event(enrolment: Enrolment) -> JourneyEvent | None:
    """The journey event that put her in her current phase, if a phase change did."""
    return (
        enrolment.events.filter(
            kind__in=PHASE_EVENTS,
            effective_on=enrolment.phase_started_on,
            to_phase=enrolment.current_phase,
        )
        .order_by("-recorded_at")
        .first()
    )

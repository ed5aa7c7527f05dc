"""The caseload's plan-review rule: each phase change asks for a plan review."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from doorway.enrolments.due import Due, DueKind
from doorway.enrolments.models import Enrolment
from doorway.plans.queries import reviews_due


def plan_reviews_due(enrolments: Sequence[Enrolment]) -> Iterable[Due]:
    """A review is due from the day of each phase change (the `phase_started_on` of an
    open enrolment past its program's first phase) until a review dated on or after that
    day exists. Two queries for any number of enrolments."""
    return [
        Due(
            enrolment_id=enrolment_id,
            kind=DueKind.PHASE_REVIEW,
            due_on=due.since,
            label=f"Plan review: {due.phase_name}",
        )
        for enrolment_id, due in reviews_due(list(enrolments)).items()
    ]

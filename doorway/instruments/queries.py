"""Read-only questions other parts ask of the assessments (caseload, evaluation)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from doorway.enrolments.models import Enrolment
from doorway.instruments.models import Administration, Answer, ItemKind, Timepoint


def follow_ups_done(enrolment_ids: Iterable[Any]) -> set[UUID]:
    """Enrolments with a completed follow-up administration, in one query."""
    return set(
        Administration.objects.filter(
            enrolment_id__in=list(enrolment_ids), timepoint=Timepoint.FOLLOW_UP
        ).values_list("enrolment_id", flat=True)
    )


def ratings_over_time(enrolment: Enrolment) -> dict[Any, list[tuple[datetime.date, int]]]:
    """Her 1-10 journey ratings per focus area id, oldest first, from every instrument
    whose scale items rate a focus area (any version), in one query."""
    rows = (
        Answer.objects.filter(
            administration__enrolment=enrolment,
            item__kind=ItemKind.SCALE,
            item__focus_area__isnull=False,
            number__isnull=False,
        )
        .order_by("administration__completed_on", "administration__recorded_at")
        .values_list("item__focus_area_id", "administration__completed_on", "number")
    )
    ratings: dict[Any, list[tuple[datetime.date, int]]] = {}
    for area_id, completed_on, number in rows:
        if number is not None:
            ratings.setdefault(area_id, []).append((completed_on, int(number)))
    return ratings


# The name the shared brief gives this query.
latest_ratings = ratings_over_time

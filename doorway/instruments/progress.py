"""Each woman's baseline and later rating in each focus area, picked from her ratings by
window functions, and kept in `FocusAreaProgress` (definitions: `evaluation.outcomes`).

Administrations and their answers are only ever added (`actions.record_administration`;
an answered version is frozen, so an item's area never changes), and go only with her
enrolment. So her rows change only when she is rated: `record_administration` refreshes
them in its own transaction, and the outcome tables read them instead of sorting every
rating.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import Case, F, IntegerField, QuerySet, Value, When, Window
from django.db.models.expressions import RowRange
from django.db.models.functions import LastValue, RowNumber

from doorway.enrolments.models import Enrolment
from doorway.instruments.models import Answer, FocusAreaProgress, ItemKind, Timepoint

# Intake ratings sort before every other, so a (woman, area) partition opens with her
# baseline (if she has one) and closes with her latest later rating (if she has one).
LATER = Case(
    When(administration__timepoint=Timepoint.INTAKE, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)
OLDEST_FIRST = [
    F("administration__completed_on").asc(),
    F("administration__recorded_at").asc(),
    F("pk").asc(),  # two ratings recorded together: the first entered counts first
]


def area_ratings(answers: QuerySet[Any]) -> QuerySet[Any]:
    """The 1-10 ratings of a focus area among those answers (a historical model's too)."""
    return answers.filter(
        item__kind=ItemKind.SCALE, item__focus_area__isnull=False, number__isnull=False
    )


def pairs(rated: QuerySet[Any], **extra: Any) -> QuerySet[Any]:
    """One row per (enrolment, area) she was rated in: `first_*` is her earliest
    intake rating when `first_later` = 0, `last_*` her latest later rating when
    `last_later` = 1 (`ASSESSED` says whether the two make a pair). One sort of her
    ratings, whatever else is asked."""
    window: dict[str, Any] = {
        "partition_by": [F("administration__enrolment_id"), F("item__focus_area_id")],
        "order_by": [LATER.asc(), *OLDEST_FIRST],
        "frame": RowRange(start=None, end=None),
    }
    rows: QuerySet[Any] = (
        rated.annotate(
            enrolment=F("administration__enrolment_id"),
            area=F("item__focus_area_id"),
            **extra,
            # The first row is kept: its own columns are the partition's first.
            first_later=LATER,
            first_number=F("number"),
            first_on=F("administration__completed_on"),
            row=Window(RowNumber(), **window),
            last_later=Window(LastValue(LATER), **window),
            last_number=Window(LastValue("number"), **window),
            last_on=Window(LastValue("administration__completed_on"), **window),
        )
        .filter(row=1)
        .values(
            "enrolment",
            "area",
            *extra,
            "first_later",
            "first_number",
            "first_on",
            "last_later",
            "last_number",
            "last_on",
        )
    )
    return rows


# Over `pairs`: her baseline, and her later rating if it counts (on or after the
# baseline's date). Plain SQL the same on SQLite and PostgreSQL: the ORM cannot group
# the rows a window filter keeps.
HAS_BASELINE = "first_later = 0"
ASSESSED = "first_later = 0 AND last_later = 1 AND last_on >= first_on"


def insert_progress(rated: QuerySet[Any], table: str) -> int:
    """INSERT into `table` (FocusAreaProgress's) one row per (enrolment, area) with a
    baseline among the `rated` answers; how many. `rated` may be a historical model's
    answers (the migration that fills the table)."""
    connection = connections[rated.db]
    sql, params = pairs(rated).query.sql_with_params()
    columns = "enrolment_id, focus_area_id, baseline, baseline_on, later, later_on"
    # Only this module's own names and expressions, never a value: the values are the
    # query's parameters.
    insert = (
        f"INSERT INTO {connection.ops.quote_name(table)} ({columns}) "  # noqa: S608 - ours
        "SELECT enrolment, area, CAST(first_number AS integer), first_on, "
        f"CASE WHEN {ASSESSED} THEN CAST(last_number AS integer) END, "
        f"CASE WHEN {ASSESSED} THEN last_on END "
        f"FROM ({sql}) AS found WHERE {HAS_BASELINE}"
    )
    with connection.cursor() as cursor:
        cursor.execute(insert, params)
        return max(int(cursor.rowcount), 0)


def refresh_progress(enrolments: QuerySet[Enrolment]) -> int:
    """Recompute the progress rows of those enrolments from their ratings, in the
    database: two queries, whatever their number. How many rows they now have."""
    ids = enrolments.order_by().values("pk")
    FocusAreaProgress.objects.filter(enrolment__in=ids).delete()
    rated = area_ratings(Answer.objects.filter(administration__enrolment__in=ids))
    return insert_progress(rated, FocusAreaProgress._meta.db_table)

"""Outcomes from the records: progress by focus area and the change in sex-work
involvement, for the consenting women of a cohort.

Definitions (DESIGN.md, "Key definitions"; the report prints them):

- Ratings are every 1-10 scale answer whose item rates a focus area, in any instrument
  (the journey scale, and the journey items of the graduation review).
- Her **baseline** in an area is her earliest rating given at the intake timepoint. Her
  **later** rating is her latest rating (by date, then by when it was recorded) given at
  any other timepoint, on or after the baseline's date.
- **Assessed** in an area: she has both. **Progressed**: her later rating is higher than
  her baseline. The denominator of the percentage is the number assessed, so it differs
  by area.
- Missing, never dropped silently: **no baseline** (no intake rating in that area) and
  **no later** (a baseline, but no later rating: missing, not "not progressed"). For each
  area, assessed + no baseline + no later = every consenting woman in the cohort.
- Sex-work involvement is the item coded `sex_work_involvement` in any instrument. At each
  timepoint her answer is her earliest at intake and her latest at graduation and at
  follow-up. The 0-4 scale is the choices' own scores (not at all 0 ... always 4);
  "at risk of returning" has no score and is reported apart in the paired change.

The database does the counting: each (woman, area) pair's baseline and later rating are
picked by window functions over her ratings (`instruments.progress`) when her ratings
are recorded, and kept one row per pair (`FocusAreaProgress`); only counts per area (and
per rating) come back, in a fixed number of queries whatever the size of the cohort. The Wilcoxon
test needs only the histogram of the differences (`stats.wilcoxon_from_counts`).
`deployment_outcomes` gives the same figures for every program at once.

That table is the one place the pairs are picked. Everything else that speaks of a
baseline, a later rating, assessed or progressed reads it through this module: the
outcome tables, the funder report and the API (`report`), the research export
(`progress`), the dose-response sets (`assessed_and_progressed`), the costs
(`progressed_by_cycle`), the theory of change's indicators (`area_counts`) and her star
chart (`her_pairs`). Their words come from here too (`BASELINE`, `LATER`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple
from uuid import UUID

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, Count, F, Max, Q, QuerySet, Sum, When, Window
from django.db.models.expressions import RowRange
from django.db.models.fields.json import KT
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy

from doorway.enrolments.models import Enrolment
from doorway.evaluation.cohort import ENROLLED, Cohort, evaluation_enrolments
from doorway.evaluation.stats import wilcoxon_from_counts
from doorway.instruments.models import Answer, Choice, FocusAreaProgress, ItemKind, Timepoint
from doorway.instruments.progress import OLDEST_FIRST
from doorway.people.models import ConsentKind, Participant
from doorway.programs.models import FocusArea, Program

INVOLVEMENT_ITEM = "sex_work_involvement"
INVOLVEMENT_TIMEPOINTS = (Timepoint.INTAKE, Timepoint.GRADUATION, Timepoint.FOLLOW_UP)
SCALE = range(1, 11)

# The definitions in words, wherever they are printed (the report, the export's data
# dictionary, her star chart).
BASELINE = gettext_lazy(
    "Her baseline in a focus area is her earliest rating at the intake timepoint (by date, "
    "then the order recorded); another intake rating is never a later rating."
)
LATER = gettext_lazy(
    "Her later rating is her latest rating at any other timepoint (by date, then the order "
    "recorded), dated on or after her baseline; a rating dated before her baseline does not "
    "count. She is assessed in the area when she has both, and progressed when her later "
    "rating is higher than her baseline."
)


def percent(numerator: int, denominator: int) -> int | None:
    """A whole percentage, half up (19 of 30 is 63%); None without a denominator."""
    if not denominator:
        return None
    share = Decimal(100 * numerator) / Decimal(denominator)
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def mean(total: int, count: int) -> float | None:
    """A mean to two decimals, half up; None without a count."""
    if not count:
        return None
    return float((Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), ROUND_HALF_UP))


# --- the ratings, and each woman's baseline and later rating in an area --------------------


def ratings(enrolments: QuerySet[Enrolment], areas: Iterable[FocusArea]) -> QuerySet[Answer]:
    """Every 1-10 rating of those enrolments in those focus areas. The areas (a few per
    program) go in as their ids: as a subquery, PostgreSQL misjudged how many ratings
    they select and walked the answers' index once per woman and area."""
    return Answer.objects.filter(
        administration__enrolment__in=enrolments.values("pk"),
        item__kind=ItemKind.SCALE,
        item__focus_area__in=[area.pk for area in areas],
        number__isnull=False,
    )


def select_from(
    query: QuerySet[Any], select: str, rest: str = "", *, each: str = "", by: str = ""
) -> list[tuple[Any, ...]]:
    """SELECT `select` FROM (the query) `rest`, as tuples. With `each`, from
    (SELECT `each` FROM the query [GROUP BY `by`]) instead. A query that can match
    nothing (a filter on an empty list, such as a program with no focus areas) gives no
    rows: Django cannot write it as SQL.

    The one place Doorway asks Django for a query's SQL. Django has no public way to put
    a queryset in a FROM clause (`Subquery` goes in expressions, `str(query)` inlines the
    values unescaped); `sql_with_params()` is what `str(query)` itself calls, returns the
    values as parameters, and has kept its shape since Django 1.x. The alternatives were
    worse: the compiler's `as_sql()` is as internal, and writing the inner queries by hand
    would duplicate the ORM's joins over encrypted, versioned records. If it ever
    changes, the outcome tests (checked against a Python reference) fail here first."""
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:
        return []
    source = f"({sql}) AS found"
    if each:
        grouped = f" GROUP BY {by}" if by else ""
        source = f"(SELECT {each} FROM {source}{grouped}) AS rated"  # noqa: S608 - ours
    with connections[query.db].cursor() as cursor:
        # Only this module's own column names and expressions, never a value: the
        # values are the query's parameters.
        cursor.execute(f"SELECT {select} FROM {source} {rest}", params)  # noqa: S608
        return list(cursor.fetchall())


def as_uuid(value: Any) -> UUID:
    """A UUID column as it comes back (SQLite gives hex text)."""
    return value if isinstance(value, UUID) else UUID(str(value))


def as_rating(value: Any) -> int | None:
    return None if value is None else int(value)


def latest_at_timepoints(rated: QuerySet[Answer]) -> list[tuple[UUID, str, int, int]]:
    """(area, timepoint, rating, how many women) of each woman's latest rating at each
    timepoint after intake."""
    newest_first = [o.expression.desc() for o in OLDEST_FIRST]
    latest = (
        rated.exclude(administration__timepoint=Timepoint.INTAKE)
        .annotate(
            area=F("item__focus_area_id"),
            timepoint=F("administration__timepoint"),
            row=Window(
                RowNumber(),
                partition_by=[
                    F("administration__enrolment_id"),
                    F("item__focus_area_id"),
                    F("administration__timepoint"),
                ],
                order_by=newest_first,
            ),
        )
        .filter(row=1)
        .values("area", "timepoint", "number")
    )
    rows = select_from(
        latest, "area, timepoint, number, COUNT(*)", "GROUP BY area, timepoint, number"
    )
    return [(as_uuid(a), str(tp), int(r), int(n)) for a, tp, r, n in rows]


def progress(
    enrolments: QuerySet[Enrolment], areas: Iterable[FocusArea]
) -> QuerySet[FocusAreaProgress]:
    """Those enrolments' baseline and later rating in those areas (ids, as in
    `ratings`): one row per woman with a baseline in an area, `later` set when she is
    assessed (`instruments.progress` keeps them as her ratings are recorded)."""
    return FocusAreaProgress.objects.filter(
        enrolment__in=enrolments.values("pk"), focus_area__in=[area.pk for area in areas]
    ).order_by()


def her_pairs(enrolment: Enrolment) -> dict[UUID, tuple[int, int | None]]:
    """{area id: (her baseline, her later rating or None)} in every area where she has a
    baseline, whatever her consent (her own chart shows them to her). One query."""
    rows = FocusAreaProgress.objects.filter(enrolment=enrolment).values_list(
        "focus_area", "baseline", "later"
    )
    return {as_uuid(area): (int(b), as_rating(la)) for area, b, la in rows}


class AreaCounts(NamedTuple):
    with_baseline: int
    assessed: int
    progressed: int
    change: int  # the sum of later minus baseline over those assessed


def area_counts(found: QuerySet[FocusAreaProgress]) -> dict[UUID, AreaCounts]:
    """{area id: its counts} over the pairs found (`progress`). One query, one row per
    area."""
    counted = (
        found.values_list("focus_area")
        .annotate(
            with_baseline=Count("pk"),
            assessed=Count("later"),
            progressed=Count("pk", filter=Q(later__gt=F("baseline"))),
            change=Sum(F("later") - F("baseline")),
        )
        .order_by()
    )
    return {as_uuid(area): AreaCounts(*(int(n or 0) for n in counts)) for area, *counts in counted}


def rating_pairs(
    found: QuerySet[FocusAreaProgress],
) -> list[tuple[UUID, int, int | None, int]]:
    """(area, baseline, later rating or None, how many women) for every combination
    found. At most areas x 10 x 11 rows, whatever the cohort's size."""
    rows = found.values_list("focus_area", "baseline", "later").annotate(n=Count("pk"))
    return [(as_uuid(a), int(b), as_rating(la), int(n)) for a, b, la, n in rows]


def _distribution(counts: Mapping[int, int]) -> dict[str, int]:
    return {str(r): counts.get(r, 0) for r in SCALE}


def program_ratings(cohort: Cohort, areas: Iterable[FocusArea] | None = None) -> QuerySet[Answer]:
    """The ratings of the cohort's consenting women in the program's active focus areas
    (`areas`, read if not given: one query)."""
    if areas is None:
        areas = list(cohort.program.active_focus_areas())
    return ratings(evaluation_enrolments(cohort), areas)


def focus_area_outcomes(cohort: Cohort, everyone: int | None = None) -> list[dict[str, Any]]:
    """One row per active focus area of the program, in the program's order, for the
    cohort's consenting women (`everyone` of them, counted if not given). Four queries."""
    areas = list(cohort.program.active_focus_areas())
    if everyone is None:
        everyone = evaluation_enrolments(cohort).count()
    rated = program_ratings(cohort, areas)
    found: dict[UUID, list[tuple[int, int | None, int]]] = defaultdict(list)
    for area_id, baseline, later, n in rating_pairs(progress(evaluation_enrolments(cohort), areas)):
        found[area_id].append((baseline, later, n))
    at: dict[tuple[UUID, str], Counter[int]] = defaultdict(Counter)
    for area_id, timepoint, rating, n in latest_at_timepoints(rated):
        at[(area_id, timepoint)][rating] += n
    rows = []
    for area in areas:
        baselines: Counter[int] = Counter()
        latest: Counter[int] = Counter()
        changes: Counter[int] = Counter()
        for baseline, later, n in found[area.pk]:
            baselines[baseline] += n
            if later is not None:
                latest[later] += n
                changes[later - baseline] += n
        # The intake distribution shows the baselines, the readings compared.
        at[(area.pk, Timepoint.INTAKE)] = baselines
        assessed = sum(changes.values())
        progressed = sum(n for change, n in changes.items() if change > 0)
        rows.append(
            {
                "area": area.local_name,
                "slug": area.slug,
                "participants": everyone,
                "assessed": assessed,
                "progressed": progressed,
                "percent": percent(progressed, assessed),
                "improved_same_worse": {
                    "improved": progressed,
                    "same": changes.get(0, 0),
                    "worse": sum(n for change, n in changes.items() if change < 0),
                },
                "mean_change": mean(sum(c * n for c, n in changes.items()), assessed),
                "distribution": {
                    str(tp): _distribution(at.get((area.pk, str(tp)), Counter()))
                    for tp in Timepoint
                },
                "latest_distribution": _distribution(latest),
                "wilcoxon": wilcoxon_from_counts(changes).as_dict() if assessed else None,
                "missing": {
                    "no_baseline": everyone - sum(baselines.values()),
                    "no_later": sum(baselines.values()) - assessed,
                },
            }
        )
    return rows


def assessed_and_progressed(cohort: Cohort) -> tuple[set[UUID], set[UUID]]:
    """(assessed, progressed) among the cohort's consenting women: those with a baseline
    and a later rating in at least one focus area, and those whose later rating is above
    the baseline in at least one. The outcome table's own pairs; one query."""
    areas = list(cohort.program.active_focus_areas())
    rows = (
        progress(evaluation_enrolments(cohort), areas)
        .filter(later__isnull=False)
        .values_list("enrolment")
        .annotate(up=Max(Case(When(later__gt=F("baseline"), then=1), default=0)))
    )
    assessed = {as_uuid(e) for e, _up in rows}
    progressed = {as_uuid(e) for e, up in rows if up}
    return assessed, progressed


def progressed_by_cycle(cohort: Cohort) -> dict[UUID, int]:
    """{cycle id: consenting women who progressed in at least one focus area}. One
    query."""
    areas = list(cohort.program.active_focus_areas())
    rows = (
        progress(evaluation_enrolments(cohort), areas)
        .filter(later__gt=F("baseline"))
        .values_list("enrolment__cycle")
        .annotate(n=Count("enrolment", distinct=True))
    )
    return {as_uuid(cycle): int(n) for cycle, n in rows}


# --- the whole deployment -----------------------------------------------------------------


def consenting_enrolments(
    programs: QuerySet[Program], cycles: Sequence[UUID] | None = None
) -> QuerySet[Enrolment]:
    """The enrolled women of those programs (all cycles, or only those `cycles`) whose
    evaluation consent is in force: `cohort.evaluation_enrolments` for every program at
    once."""
    consenting = Participant.objects.consented_to(ConsentKind.EVALUATION)
    enrolments = Enrolment.objects.filter(cycle__program__in=programs.order_by().values("pk"))
    if cycles is not None:
        enrolments = enrolments.filter(cycle__in=list(cycles))
    return enrolments.filter(ENROLLED).filter(participant__in=consenting.values("pk"))


def deployment_outcomes(
    programs: QuerySet[Program], cycles: Sequence[UUID] | None = None
) -> list[dict[str, Any]]:
    """Progress by focus area for every program given (all its cycles), one row per
    (program, active focus area), programs by name and areas in their order: the same
    figures as each program's own `focus_area_outcomes`. Three queries, whatever the
    number of programs and women."""
    areas = list(
        FocusArea.objects.filter(program__in=programs.order_by().values("pk"), retired=False)
        .select_related("program")
        .order_by("program__name", "program_id", "order")
    )
    enrolments = consenting_enrolments(programs, cycles)
    everyone = dict(
        enrolments.values("cycle__program")
        .annotate(n=Count("pk"))
        .values_list("cycle__program", "n")
        .order_by()
    )
    # An area is rated only in its own program's instruments, and those are given only
    # to its own women (`instruments.definition`, `actions.record_administration`).
    found = area_counts(progress(enrolments, areas))
    rows = []
    for area in areas:
        women = everyone.get(area.program_id, 0)
        with_baseline, assessed, progressed, change = found.get(area.pk, AreaCounts(0, 0, 0, 0))
        rows.append(
            {
                "program": {"slug": area.program.slug, "name": area.program.local_name},
                "area": area.local_name,
                "slug": area.slug,
                "participants": women,
                "assessed": assessed,
                "progressed": progressed,
                "percent": percent(progressed, assessed),
                "mean_change": mean(change, assessed),
                "missing": {
                    "no_baseline": women - with_baseline,
                    "no_later": with_baseline - assessed,
                },
            }
        )
    return rows


# --- sex-work involvement ------------------------------------------------------------------


def involvement_scale(cohort: Cohort) -> tuple[list[tuple[str, str]], dict[str, int | None]]:
    """The involvement item's choices as the program's instruments define them:
    [(code, label)] in their order, and {code: score} (None for "at risk"). One query."""
    choices = (
        Choice.objects.filter(
            item__code=INVOLVEMENT_ITEM,
            item__version__instrument__program=cohort.program,
        )
        .order_by("item__version__number", "order")
        .values_list("code", "label", "score")
    )
    labels: dict[str, str] = {}
    scores: dict[str, int | None] = {}
    for code, label, score in choices:
        # Later versions have the last word on labels and scores.
        labels[code] = label
        scores[code] = None if score is None else int(score)
    order = sorted(labels, key=lambda c: (scores[c] is None, scores[c] or 0))
    return [(code, labels[code]) for code in order], scores


def involvement_outcomes(cohort: Cohort, everyone: int | None = None) -> dict[str, Any]:
    """Sex-work involvement at intake, graduation and follow-up, and the paired change
    from intake to follow-up, of the cohort's consenting women (`everyone` of them,
    counted if not given). Two queries (three without `everyone`)."""
    choices, scores = involvement_scale(cohort)
    enrolments = evaluation_enrolments(cohort)
    if everyone is None:
        everyone = enrolments.count()
    answered = Answer.objects.filter(
        administration__enrolment__in=enrolments.values("pk"),
        administration__timepoint__in=list(INVOLVEMENT_TIMEPOINTS),
        item__code=INVOLVEMENT_ITEM,
        item__version__instrument__program=cohort.program,
    ).exclude(choices=[])
    # Her answer at a timepoint: her first at intake (her baseline), her latest after.
    window: dict[str, Any] = {
        "partition_by": [F("administration__enrolment_id"), F("administration__timepoint")],
        "order_by": OLDEST_FIRST,
    }
    columns = [str(tp) for tp in INVOLVEMENT_TIMEPOINTS]
    kept = (
        answered.annotate(
            enrolment=F("administration__enrolment_id"),
            row=Window(RowNumber(), **window),
            rows=Window(Count("pk"), frame=RowRange(start=None, end=None), **window),
            **{
                str(tp): Case(When(administration__timepoint=tp, then=KT("choices__0")))
                for tp in INVOLVEMENT_TIMEPOINTS
            },
        )
        .filter(
            Q(administration__timepoint=Timepoint.INTAKE, row=1)
            | (~Q(administration__timepoint=Timepoint.INTAKE) & Q(row=F("rows")))
        )
        .values("enrolment", *columns)
    )
    # One row per combination of her answers (at most 7 x 7 x 7), with how many women.
    answer_sets = select_from(
        kept,
        f"{', '.join(columns)}, COUNT(*)",
        f"GROUP BY {', '.join(columns)}",
        each="enrolment, " + ", ".join(f"MAX({c}) AS {c}" for c in columns),
        by="enrolment",
    )
    at_counts: dict[str, Counter[str]] = {tp: Counter() for tp in columns}
    both: Counter[tuple[str, str]] = Counter()
    for *given, n in answer_sets:
        her = dict(zip(columns, given, strict=True))
        for tp, answer in her.items():
            if answer is not None:
                at_counts[tp][answer] += n
        before, after = her[Timepoint.INTAKE], her[Timepoint.FOLLOW_UP]
        if before is not None and after is not None:
            both[(before, after)] += n
    codes = [c for c, _label in choices]
    at = {}
    summary = {}
    for tp, counts in at_counts.items():
        at[tp] = {c: counts.get(c, 0) for c in codes}
        for c in sorted(counts):
            at[tp].setdefault(c, counts[c])  # a code no version defines any more
        summary[tp] = {
            "participants": everyone,
            "answered": sum(counts.values()),
            "involved": sum(n for c, n in counts.items() if (scores.get(c) or 0) > 0),
            "not_involved": sum(n for c, n in counts.items() if scores.get(c) == 0),
            "at_risk": sum(n for c, n in counts.items() if c in scores and scores[c] is None),
            "missing": everyone - sum(counts.values()),
        }
    return {
        "choices": [
            {"code": code, "label": label, "score": scores[code]} for code, label in choices
        ],
        "at": at,
        "summary": summary,
        "paired": _paired_change(both, scores, codes),
        "missing": {
            **{tp: everyone - sum(counts.values()) for tp, counts in at_counts.items()},
            "intake_without_follow_up": sum(at_counts[Timepoint.INTAKE].values())
            - sum(both.values()),
        },
    }


def _paired_change(
    both: Mapping[tuple[str, str], int], scores: Mapping[str, int | None], codes: Sequence[str]
) -> dict[str, Any]:
    """Intake -> follow-up, from {(intake answer, follow-up answer): women}."""
    changes: Counter[float] = Counter()
    for (b, a), n in both.items():
        before, after = scores.get(b), scores.get(a)
        if before is not None and after is not None:
            changes[float(after) - float(before)] += n
    transitions = {b: dict.fromkeys(codes, 0) for b in codes}
    for (b, a), n in both.items():
        transitions.setdefault(b, {}).setdefault(a, 0)
        transitions[b][a] += n
    pairs_found = sum(both.values())
    scored_pairs = sum(changes.values())
    return {
        "pairs": pairs_found,
        "scored_pairs": scored_pairs,
        # Less involvement is better: improved means a lower score at follow-up.
        "improved": sum(n for change, n in changes.items() if change < 0),
        "same": changes.get(0.0, 0),
        "worse": sum(n for change, n in changes.items() if change > 0),
        # Pairs where either answer is "at risk of returning": off the 0-4 scale.
        "at_risk": pairs_found - scored_pairs,
        "transitions": transitions,
        # On intake -> follow-up, so a negative effect size means involvement went down.
        "wilcoxon": wilcoxon_from_counts(changes).as_dict() if scored_pairs else None,
    }

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

Everything is computed in a fixed number of queries: rows are read once and counted here.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from doorway.evaluation.cohort import Cohort, evaluation_enrolments
from doorway.evaluation.stats import wilcoxon_signed_rank
from doorway.instruments.models import Answer, Choice, ItemKind, Timepoint
from doorway.programs.models import FocusArea

INVOLVEMENT_ITEM = "sex_work_involvement"
INVOLVEMENT_TIMEPOINTS = (Timepoint.INTAKE, Timepoint.GRADUATION, Timepoint.FOLLOW_UP)
SCALE = range(1, 11)


def percent(numerator: int, denominator: int) -> int | None:
    """A whole percentage, half up (19 of 30 is 63%); None without a denominator."""
    if not denominator:
        return None
    share = Decimal(100 * numerator) / Decimal(denominator)
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class Ratings:
    """The focus-area ratings of a cohort's consenting women, read in three queries."""

    enrolment_cycles: dict[UUID, UUID]  # enrolment id -> cycle id
    areas: list[FocusArea]
    # (area id, enrolment id) -> rating
    baseline: dict[tuple[UUID, UUID], int] = field(default_factory=dict)
    later: dict[tuple[UUID, UUID], int] = field(default_factory=dict)
    # (area id, timepoint) -> {enrolment id: her latest rating at that timepoint}
    at_timepoint: dict[tuple[UUID, str], dict[UUID, int]] = field(default_factory=dict)

    def pairs(self, area_id: UUID) -> list[tuple[UUID, int, int]]:
        """(enrolment id, baseline, later) of those assessed in the area."""
        return [
            (enrolment_id, self.baseline[(area_id, enrolment_id)], later)
            for (area, enrolment_id), later in self.later.items()
            if area == area_id
        ]

    def progressed_enrolments(self) -> set[UUID]:
        """Enrolments that progressed in at least one focus area."""
        return {
            enrolment_id
            for (area_id, enrolment_id), later in self.later.items()
            if later > self.baseline[(area_id, enrolment_id)]
        }


def load_ratings(cohort: Cohort) -> Ratings:
    enrolments = evaluation_enrolments(cohort)
    cycles = dict(enrolments.values_list("pk", "cycle_id"))
    areas = list(cohort.program.active_focus_areas())
    ratings = Ratings(enrolment_cycles=cycles, areas=areas)
    rows = (
        Answer.objects.filter(
            administration__enrolment__in=list(cycles),
            item__kind=ItemKind.SCALE,
            item__focus_area__in=[a.pk for a in areas],
            number__isnull=False,
        )
        .order_by("administration__completed_on", "administration__recorded_at")
        .values_list(
            "administration__enrolment_id",
            "item__focus_area_id",
            "administration__timepoint",
            "administration__completed_on",
            "number",
        )
    )
    baseline_on: dict[tuple[UUID, UUID], datetime.date] = {}
    later_rows = []
    for enrolment_id, area_id, timepoint, completed_on, number in rows:
        key = (area_id, enrolment_id)
        assert number is not None  # filtered above
        rating = int(number)
        # Oldest first: the first at a timepoint is kept for the baseline, the last for
        # every other reading.
        ratings.at_timepoint.setdefault((area_id, timepoint), {})[enrolment_id] = rating
        if timepoint == Timepoint.INTAKE:
            if key not in ratings.baseline:
                ratings.baseline[key] = rating
                baseline_on[key] = completed_on
        else:
            later_rows.append((key, completed_on, rating))
    for key, completed_on, rating in later_rows:
        if key in baseline_on and completed_on >= baseline_on[key]:
            ratings.later[key] = rating
    # The intake distribution shows the baselines, the readings compared.
    for (area_id, enrolment_id), rating in ratings.baseline.items():
        ratings.at_timepoint[(area_id, Timepoint.INTAKE)][enrolment_id] = rating
    return ratings


def _distribution(values: Any) -> dict[str, int]:
    counts = Counter(values)
    return {str(r): counts.get(r, 0) for r in SCALE}


def focus_area_outcomes(ratings: Ratings) -> list[dict[str, Any]]:
    """One row per focus area of the program, in the program's order."""
    everyone = len(ratings.enrolment_cycles)
    rows = []
    for area in ratings.areas:
        pairs = ratings.pairs(area.pk)
        assessed = len(pairs)
        progressed = sum(1 for _e, before, after in pairs if after > before)
        with_baseline = sum(1 for (a, _e) in ratings.baseline if a == area.pk)
        changes = [after - before for _e, before, after in pairs]
        mean_change = (
            float(
                (Decimal(sum(changes)) / Decimal(assessed)).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
            )
            if assessed
            else None
        )
        test = (
            wilcoxon_signed_rank([b for _e, b, _a in pairs], [a for _e, _b, a in pairs]).as_dict()
            if assessed
            else None
        )
        rows.append(
            {
                "area": area.name,
                "slug": area.slug,
                "participants": everyone,
                "assessed": assessed,
                "progressed": progressed,
                "percent": percent(progressed, assessed),
                "improved_same_worse": {
                    "improved": progressed,
                    "same": sum(1 for c in changes if c == 0),
                    "worse": sum(1 for c in changes if c < 0),
                },
                "mean_change": mean_change,
                "distribution": {
                    str(tp): _distribution(ratings.at_timepoint.get((area.pk, tp), {}).values())
                    for tp in Timepoint
                },
                "latest_distribution": _distribution(after for _e, _b, after in pairs),
                "wilcoxon": test,
                "missing": {
                    "no_baseline": everyone - with_baseline,
                    "no_later": with_baseline - assessed,
                },
            }
        )
    return rows


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


def involvement_outcomes(cohort: Cohort, enrolment_ids: list[UUID]) -> dict[str, Any]:
    """Sex-work involvement at intake, graduation and follow-up, and the paired change
    from intake to follow-up, of the given (consenting) enrolments. Two queries."""
    choices, scores = involvement_scale(cohort)
    rows = (
        Answer.objects.filter(
            administration__enrolment__in=enrolment_ids,
            administration__timepoint__in=list(INVOLVEMENT_TIMEPOINTS),
            item__code=INVOLVEMENT_ITEM,
            item__version__instrument__program=cohort.program,
        )
        .order_by("administration__completed_on", "administration__recorded_at")
        .values_list("administration__enrolment_id", "administration__timepoint", "choices")
    )
    answers: dict[str, dict[UUID, str]] = {str(tp): {} for tp in INVOLVEMENT_TIMEPOINTS}
    for enrolment_id, timepoint, chosen in rows:
        if not chosen:
            continue
        if timepoint == Timepoint.INTAKE and enrolment_id in answers[timepoint]:
            continue  # her first intake answer is her baseline
        answers[timepoint][enrolment_id] = chosen[0]
    everyone = len(enrolment_ids)
    at = {}
    summary = {}
    for tp, given in answers.items():
        counts = Counter(given.values())
        at[tp] = {code: counts.get(code, 0) for code, _label in choices}
        for code in counts:
            at[tp].setdefault(code, counts[code])  # a code no version defines any more
        summary[tp] = {
            "participants": everyone,
            "answered": len(given),
            "involved": sum(n for c, n in counts.items() if (scores.get(c) or 0) > 0),
            "not_involved": sum(n for c, n in counts.items() if scores.get(c) == 0),
            "at_risk": sum(n for c, n in counts.items() if c in scores and scores[c] is None),
            "missing": everyone - len(given),
        }
    paired = _paired_change(
        answers[Timepoint.INTAKE], answers[Timepoint.FOLLOW_UP], scores, [c for c, _ in choices]
    )
    return {
        "choices": [
            {"code": code, "label": label, "score": scores[code]} for code, label in choices
        ],
        "at": at,
        "summary": summary,
        "paired": paired,
        "missing": {
            **{tp: everyone - len(given) for tp, given in answers.items()},
            "intake_without_follow_up": sum(
                1 for e in answers[Timepoint.INTAKE] if e not in answers[Timepoint.FOLLOW_UP]
            ),
        },
    }


def _paired_change(
    before: dict[UUID, str],
    after: dict[UUID, str],
    scores: dict[str, int | None],
    codes: list[str],
) -> dict[str, Any]:
    both = [(before[e], after[e]) for e in before if e in after]
    scored = [
        (scores[b], scores[a])
        for b, a in both
        if scores.get(b) is not None and scores.get(a) is not None
    ]
    transitions = {b: dict.fromkeys(codes, 0) for b in codes}
    for b, a in both:
        transitions.setdefault(b, {}).setdefault(a, 0)
        transitions[b][a] += 1
    befores = [float(b) for b, _a in scored if b is not None]
    afters = [float(a) for _b, a in scored if a is not None]
    # Less involvement is better: the test is on intake -> follow-up, so a negative
    # effect size means involvement went down.
    test = wilcoxon_signed_rank(befores, afters).as_dict() if scored else None
    return {
        "pairs": len(both),
        "scored_pairs": len(scored),
        "improved": sum(1 for b, a in scored if a is not None and b is not None and a < b),
        "same": sum(1 for b, a in scored if a == b),
        "worse": sum(1 for b, a in scored if a is not None and b is not None and a > b),
        # Pairs where either answer is "at risk of returning": off the 0-4 scale.
        "at_risk": len(both) - len(scored),
        "transitions": transitions,
        "wilcoxon": test,
    }

"""The evaluation of a cohort as one JSON-ready dict: what the evaluation page, the
funder report, the export and `doorway evaluate` all start from.

Nothing in it is typed in: every figure is counted from the records when it is asked for.
"""

from __future__ import annotations

import datetime
import importlib
import importlib.util
import uuid
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from doorway.evaluation.cohort import (
    Cohort,
    all_enrolments,
    enrolled_enrolments,
    evaluation_enrolments,
)
from doorway.evaluation.costs import cycle_costs
from doorway.evaluation.outcomes import (
    BASELINE,
    LATER,
    focus_area_outcomes,
    involvement_outcomes,
    progressed_by_cycle,
)

DEFINITIONS = [
    (
        gettext_lazy("Cohort"),
        gettext_lazy(
            "The program's participants in the chosen cycles (all cycles if none is chosen), "
            "referred within the chosen dates and having reached at least the chosen phase."
        ),
    ),
    (
        gettext_lazy("Enrolled"),
        gettext_lazy(
            "Everyone referred into a cycle and not found ineligible, whether or not she "
            "consented to the evaluation research."
        ),
    ),
    (
        gettext_lazy("Evaluation participants"),
        gettext_lazy(
            "Enrolled women whose consent to the evaluation research is in force. Only they "
            "count in the outcome figures; a woman who withdraws that consent leaves every "
            "figure from that day."
        ),
    ),
    (
        gettext_lazy("Focus-area scale"),
        format_lazy(
            "{} {} {}",
            gettext_lazy(
                "Each focus area is rated on a 1-10 journey-of-change scale at intake (the "
                "baseline) and at later timepoints."
            ),
            BASELINE,
            LATER,
        ),
    ),
    (
        gettext_lazy("Progressed"),
        gettext_lazy(
            "A participant progressed in an area if her latest rating is higher than her "
            "baseline rating. The denominator (assessed) is the number of participants with "
            "both a baseline and a later rating in that area, so it differs by area; every "
            "percentage is printed with its numerator and denominator."
        ),
    ),
    (
        gettext_lazy("Missing"),
        gettext_lazy(
            "A participant with no baseline, or with a baseline but no later rating, is counted "
            "as missing in that area, not as having made no progress."
        ),
    ),
    (
        gettext_lazy("Wilcoxon signed-rank test"),
        gettext_lazy(
            "Baseline against later rating, two-sided. Zero differences are dropped (Wilcoxon's "
            "rule, as in R); ties take average ranks. The p-value is exact (the permutation "
            "distribution over all sign assignments, ties included) for up to 50 non-zero "
            "differences, and otherwise from the normal approximation with tie and continuity "
            "corrections. V is the sum of the ranks of the increases. The effect size is the "
            "matched-pairs rank-biserial correlation, from -1 (all went down) to 1 (all went "
            "up)."
        ),
    ),
    (
        gettext_lazy("Sex-work involvement"),
        gettext_lazy(
            "An ordinal item (not at all, rarely, sometimes, often, always, plus 'at risk of "
            "returning') asked at intake, graduation and follow-up (one month after "
            "graduation). Involved means rarely to always. The paired change compares intake "
            "with follow-up on the 0-4 scale; pairs with an 'at risk' answer are counted apart."
        ),
    ),
    (
        gettext_lazy("Cost per participant"),
        gettext_lazy(
            "For a cycle, its operating cost (evaluation costs excluded) divided by the "
            "participants enrolled in that cycle. Cost per graduate and per participant who "
            "progressed in at least one focus area divide the same cost by those counts; "
            "progress is known only for women who consented to the research. Amounts are "
            "rounded to the cent."
        ),
    ),
    (
        gettext_lazy("Small cells"),
        gettext_lazy(
            "In anything meant to leave the building (funder report, research export), a count "
            "below 5 that could identify someone is suppressed and shown as <5."
        ),
    ),
    (
        gettext_lazy("Published figures"),
        gettext_lazy(
            "What an evaluator and a funder see: whole cycles with at least 10 consenting "
            "women only; each count moved by at most 2, the same way every time it is asked "
            "for, then shown as <5 when 1 to 4; shares and costs per head from those counts. "
            "A program manager and `doorway evaluate` give the exact figures."
        ),
    ),
]


def definitions() -> list[dict[str, str]]:
    return [{"term": str(term), "text": str(text)} for term, text in DEFINITIONS]


def jsonable(value: Any) -> Any:
    """Decimal as a string to the cent, dates in ISO form, UUIDs as strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, uuid.UUID | Promise):
        return str(value)
    return value


def _optional_part(module: str, function: str, cohort: Cohort) -> Any:
    """The process and fidelity parts, if they are installed. Only their absence is
    tolerated: an error inside them is raised, not hidden."""
    if importlib.util.find_spec(module) is None:
        return None
    return getattr(importlib.import_module(module), function)(cohort)


def costs_cohort(cohort: Cohort) -> Cohort:
    """Costs belong to whole cycles: the cohort without its date and phase filters."""
    return Cohort(program=cohort.program, cycles=cohort.cycles)


def evaluation_report(cohort: Cohort) -> dict[str, Any]:
    """A fixed number of queries, whatever the size of the cohort."""
    whole = costs_cohort(cohort)
    consenting = evaluation_enrolments(cohort).count()
    report = {
        "program": {"slug": cohort.program.slug, "name": cohort.program.name},
        "cohort": cohort.as_dict(),
        "definitions": definitions(),
        "participants": {
            "referred": all_enrolments(cohort).count(),
            "enrolled": enrolled_enrolments(cohort).count(),
            "evaluation": consenting,
        },
        "focus_areas": focus_area_outcomes(cohort, consenting),
        "involvement": involvement_outcomes(cohort, consenting),
        "cycles": cycle_costs(whole, progressed_by_cycle(whole)),
        "process": _optional_part("doorway.evaluation.process", "process_report", cohort),
        "fidelity": _optional_part("doorway.evaluation.fidelity", "fidelity_report", cohort),
    }
    result: dict[str, Any] = jsonable(report)
    return result

"""The outcome table of the whole deployment: progress by focus area for every program
she may evaluate (`permissions.evaluated_programs`), all in one table and a fixed number of
queries (`outcomes.deployment_outcomes`).

Shown on the evaluation home page and answered by /api/v1/evaluation/deployment/. An
evaluator sees it published (`disclosure`: each program's publishable cycles, counts
perturbed exactly as on that program's evaluation page, then "<5"); a program manager
sees the counts of her own programs on the page as they are, as on the evaluation page
itself, and through the API with small cells suppressed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from doorway.enrolments.models import Enrolment
from doorway.evaluation import disclosure, permissions
from doorway.evaluation.numbers import percentage
from doorway.evaluation.outcomes import consenting_enrolments, deployment_outcomes
from doorway.evaluation.suppress import suppress, suppress_percent, suppress_row
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may
from doorway.programs.models import Program

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone

COLUMNS = [
    gettext_lazy("Program"),
    gettext_lazy("Focus area"),
    gettext_lazy("Consenting women"),
    gettext_lazy("Assessed"),
    gettext_lazy("Progressed"),
    "%",
    gettext_lazy("Mean change"),
    gettext_lazy("No baseline"),
    gettext_lazy("No later rating"),
]


def sees_small_cells(user: Someone) -> bool:
    """Counts below 5 as they are: a program manager, who reaches those records anyway."""
    return may(user, Can.SEE_EXACT_FIGURES)


def suppressed(row: dict[str, Any]) -> dict[str, Any]:
    """One row as it may leave the building. Consenting women is the published total of
    assessed + no baseline + no later, so those three are suppressed as a row."""
    parts = suppress_row(
        {
            "assessed": row["assessed"],
            "no_baseline": row["missing"]["no_baseline"],
            "no_later": row["missing"]["no_later"],
        }
    )
    progressed = suppress(row["progressed"])
    shown = isinstance(parts["assessed"], int) and isinstance(progressed, int)
    return {
        **row,
        "participants": suppress(row["participants"]),
        "assessed": parts["assessed"],
        "progressed": progressed,
        "percent": (suppress_percent(row["progressed"], row["assessed"]) or None)
        if shown
        else None,
        # A mean over a hidden count could give someone's change back.
        "mean_change": row["mean_change"] if isinstance(parts["assessed"], int) else None,
        "missing": {"no_baseline": parts["no_baseline"], "no_later": parts["no_later"]},
    }


def with_percent_sign(row: dict[str, Any]) -> dict[str, Any]:
    share = row["percent"]
    return {**row, "percent": None if share is None else percentage(share)}


def deployment_table(user: Someone, *, always_suppress: bool = False) -> list[dict[str, Any]]:
    """Her programs' rows: for a program manager exact (small cells suppressed when the
    caller asks), for everyone else published (`disclosure`): each program's
    publishable cycles only, as on its own evaluation page and with the same
    perturbation. A program with no cycle large enough has no row."""
    programs = permissions.evaluated_programs(user)
    if sees_small_cells(user):
        rows = deployment_outcomes(programs)
        if always_suppress:
            return [suppressed(r) for r in rows]
        return [with_percent_sign(r) for r in rows]
    return published_table(programs)


def published_table(programs: QuerySet[Program]) -> list[dict[str, Any]]:
    """Every program's rows over its publishable cycles, perturbed with that cohort's
    keys, so that each figure is the one its evaluation page shows. Five queries."""
    sizes = disclosure.consenting_by_cycle(programs)
    cycles = [cycle for cycle, n in sizes.items() if n >= disclosure.MINIMUM_COHORT]
    rows = deployment_outcomes(programs, cycles)
    everyone: dict[str, set[Any]] = defaultdict(set)
    consenting: dict[str, set[Any]] = defaultdict(set)
    for program, woman in Enrolment.objects.filter(cycle__in=cycles).values_list(
        "cycle__program", "participant_id"
    ):
        everyone[str(program)].add(woman)
    for program, woman in consenting_enrolments(programs, cycles).values_list(
        "cycle__program", "participant_id"
    ):
        consenting[str(program)].add(woman)
    ids = dict(programs.values_list("slug", "pk"))
    published = []
    for row in rows:
        key = str(ids[row["program"]["slug"]])
        if key not in everyone:
            continue
        keys = disclosure.keys_from(everyone[key], consenting[key])
        shown = disclosure.Publisher(keys).value(f"focus_areas/{row['slug']}", "", row)
        published.append(with_percent_sign(shown))
    return published

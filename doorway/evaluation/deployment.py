"""The outcome table of the whole deployment: progress by focus area for every program
she may evaluate (`rules.evaluated_programs`), all in one table and a fixed number of
queries (`outcomes.deployment_outcomes`).

Shown on the evaluation home page and answered by /api/v1/evaluation/deployment/. An
evaluator, and anything an API answers, sees small cells suppressed as in the funder
report (`suppress`); a program manager sees the counts of her own programs on the page
as they are, as on the evaluation page itself.
"""

from __future__ import annotations

from typing import Any

from doorway.evaluation import rules
from doorway.evaluation.outcomes import deployment_outcomes
from doorway.evaluation.suppress import suppress, suppress_percent, suppress_row
from doorway.people.roles import Role

COLUMNS = [
    "Program",
    "Focus area",
    "Consenting women",
    "Assessed",
    "Progressed",
    "%",
    "Mean change",
    "No baseline",
    "No later rating",
]


def sees_small_cells(user: Any) -> bool:
    """Counts below 5 as they are: a program manager, who reaches those records anyway."""
    return bool(getattr(user, "is_authenticated", False)) and user.role == Role.PROGRAM_MANAGER


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
    return {**row, "percent": None if share is None else f"{share}%"}


def deployment_table(user: Any, *, always_suppress: bool = False) -> list[dict[str, Any]]:
    """Her programs' rows, suppressed unless she may see small cells (and the caller
    does not ask for suppression anyway)."""
    rows = deployment_outcomes(rules.evaluated_programs(user))
    if always_suppress or not sees_small_cells(user):
        return [suppressed(r) for r in rows]
    return [with_percent_sign(r) for r in rows]

"""What each cycle cost, and per whom.

- **Operating cost** of a cycle: the sum of its cost lines outside the evaluation
  category. The evaluation's own cost is shown apart and never enters a ratio.
- **Enrolled** in a cycle: every enrolment of the cycle counted as enrolled (see
  `cohort.ENROLLED`: all except women found not eligible), consented to the research or
  not. **Graduated**: those who left by graduating.
- **Cost per participant** = operating cost / enrolled (DESIGN.md); likewise per graduate
  and per participant who progressed in at least one focus area. Progress is known only
  for women who consented to the research, so that last ratio divides by consenting
  women who progressed (a conservative, higher figure).
- Costs belong to a whole cycle, so they use every enrolment of the cycle whatever the
  cohort's date or phase filters.

Money is Decimal throughout, rounded to the cent half up only when shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, Sum

from doorway.enrolments.models import Enrolment, ExitReason
from doorway.evaluation.cohort import ENROLLED, Cohort
from doorway.programs.models import CostCategory, CostLine, Cycle

CENT = Decimal("0.01")
OPERATING_CATEGORIES = [c for c in CostCategory if c != CostCategory.EVALUATION]


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def per(amount: Decimal, count: int) -> Decimal | None:
    """Amount per head, to the cent; None when nobody is counted."""
    return cents(amount / Decimal(count)) if count else None


def cost_cycles(cohort: Cohort) -> list[Cycle]:
    if cohort.cycles:
        return sorted(cohort.cycles, key=lambda c: (c.starts_on, c.name))
    return list(cohort.program.cycles.order_by("starts_on", "name"))


def cycle_costs(
    cohort: Cohort, progressed: Mapping[UUID, int] | None = None
) -> list[dict[str, Any]]:
    """One row per cycle of the cohort, oldest first. `progressed` gives, by cycle id,
    how many consenting women progressed in at least one focus area
    (`outcomes.progressed_by_cycle`). Two queries whatever the number of cycles and
    participants."""
    cycles = cost_cycles(cohort)
    ids = [c.pk for c in cycles]
    heads: dict[UUID, dict[str, int]] = defaultdict(lambda: {"enrolled": 0, "graduated": 0})
    for head in (
        Enrolment.objects.filter(cycle__in=ids)
        .filter(ENROLLED)
        .values("cycle_id")
        .annotate(
            enrolled=Count("pk"), graduated=Count("pk", filter=Q(exit_reason=ExitReason.GRADUATED))
        )
        .order_by()
    ):
        heads[head["cycle_id"]] = {"enrolled": head["enrolled"], "graduated": head["graduated"]}
    amounts: dict[UUID, dict[str, Decimal]] = defaultdict(dict)
    for row in (
        CostLine.objects.filter(cycle__in=ids)
        .values("cycle_id", "category")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        amounts[row["cycle_id"]][row["category"]] = row["total"] or Decimal(0)
    progressed = progressed or {}
    rows = []
    for cycle in cycles:
        by_category = {
            str(c): cents(amounts[cycle.pk].get(c, Decimal(0))) for c in OPERATING_CATEGORIES
        }
        # A cycle with no cost lines yet (one still running) has no cost to divide:
        # its costs are "not recorded", never $0.00 per participant.
        recorded = bool(amounts[cycle.pk])
        operating = cents(sum(by_category.values(), Decimal(0))) if recorded else None
        enrolled = heads[cycle.pk]["enrolled"]
        graduated = heads[cycle.pk]["graduated"]
        gained = progressed.get(cycle.pk, 0)
        rows.append(
            {
                "cycle": cycle.name,
                "starts_on": cycle.starts_on,
                "ends_on": cycle.ends_on,
                "enrolled": enrolled,
                "graduated": graduated,
                "progressed": gained,
                "operating_cost": operating,
                "evaluation_cost": cents(
                    amounts[cycle.pk].get(CostCategory.EVALUATION, Decimal(0))
                ),
                "costs_recorded": recorded,
                "cost_per_participant": per(operating, enrolled) if operating is not None else None,
                "cost_per_graduate": per(operating, graduated) if operating is not None else None,
                "cost_per_progressed": per(operating, gained) if operating is not None else None,
                "by_category": by_category,
            }
        )
    return rows

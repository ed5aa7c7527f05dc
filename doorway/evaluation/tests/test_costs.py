"""Costs per cycle: operating cost without the evaluation, per head to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from doorway.enrolments.models import Eligibility, ExitReason
from doorway.evaluation.cohort import Cohort
from doorway.evaluation.costs import cycle_costs, per
from doorway.evaluation.report import evaluation_report
from doorway.evaluation.tests.records import rate, woman
from doorway.instruments.models import Timepoint
from doorway.programs.models import CostCategory, CostLine
from doorway.testing.factories import CycleFactory


@pytest.mark.parametrize(
    ("total", "enrolled", "expected"),
    [
        # DESIGN.md's published set: total, enrolled, cost per participant.
        ("586499.10", 30, "19549.97"),
        ("611696.80", 40, "15292.42"),
        ("586449.10", 31, "18917.71"),
        ("623385.78", 33, "18890.48"),
        # Half a cent rounds up, not to even.
        ("10.05", 2, "5.03"),
        ("0.01", 3, "0.00"),
    ],
)
def test_per_head_to_the_cent(total: str, enrolled: int, expected: str) -> None:
    result = per(Decimal(total), enrolled)
    assert result == Decimal(expected)
    assert isinstance(result, Decimal)
    assert str(result) == expected


def test_per_nobody() -> None:
    assert per(Decimal("100.00"), 0) is None


def line(cycle, category, amount: str) -> None:
    CostLine.objects.create(cycle=cycle, category=category, amount=Decimal(amount))


@pytest.fixture
def two_cycles(world):
    first = world.rosa_enrolment.cycle
    second = CycleFactory(
        program=world.program, name="Cycle 2", starts_on=first.starts_on.replace(year=2025)
    )
    line(first, CostCategory.STAFF, "1000.00")
    line(first, CostCategory.STAFF, "0.10")
    line(first, CostCategory.SPACE, "200.05")
    line(first, CostCategory.EVALUATION, "5000.00")
    line(second, CostCategory.PEER_HONORARIA, "99.99")
    # Cycle 1 has rosa, tess and uma (no research consent) and these:
    graduate = woman(world, first, exit_reason=ExitReason.GRADUATED)
    woman(world, first, research="no", exit_reason=ExitReason.GRADUATED)
    woman(world, first, exit_reason=ExitReason.WITHDREW)
    woman(world, first, eligibility=Eligibility.NOT_ELIGIBLE, exit_reason=ExitReason.NOT_ELIGIBLE)
    return first, second, graduate


def test_cycle_costs(world, two_cycles) -> None:
    first, _second, _graduate = two_cycles
    rows = cycle_costs(Cohort(program=world.program), progressed={first.pk: 1})
    assert [r["cycle"] for r in rows] == ["Cycle 1", "Cycle 2"]
    one, two = rows
    # 3 from the world + 3 (the not-eligible referral is not enrolled).
    assert one["enrolled"] == 6
    assert one["graduated"] == 2
    assert one["progressed"] == 1
    assert one["operating_cost"] == Decimal("1200.15")
    assert one["evaluation_cost"] == Decimal("5000.00")
    assert one["cost_per_participant"] == Decimal("200.03")  # 200.025 half up
    assert one["cost_per_graduate"] == Decimal("600.08")  # 600.075 half up
    assert one["cost_per_progressed"] == Decimal("1200.15")
    assert one["by_category"][CostCategory.STAFF] == Decimal("1000.10")
    assert one["by_category"][CostCategory.SPACE] == Decimal("200.05")
    assert CostCategory.EVALUATION not in one["by_category"]
    assert one["by_category"][CostCategory.OTHER] == Decimal("0.00")
    assert sum(one["by_category"].values()) == one["operating_cost"]
    for value in one["by_category"].values():
        assert isinstance(value, Decimal)
    assert two["enrolled"] == 0
    assert two["operating_cost"] == Decimal("99.99")
    assert two["cost_per_participant"] is None


def test_chosen_cycles_only(world, two_cycles) -> None:
    _first, second, _graduate = two_cycles
    rows = cycle_costs(Cohort(program=world.program, cycles=(second,)))
    assert [r["cycle"] for r in rows] == ["Cycle 2"]


def test_report_counts_progress_of_consenting_women_per_cycle(world, two_cycles) -> None:
    first, _second, graduate = two_cycles
    rate(graduate, {"money": 2}, ago=30, timepoint=Timepoint.INTAKE)
    rate(graduate, {"money": 6}, ago=3, timepoint=Timepoint.GRADUATION)
    outsider = woman(world, first, research="no")
    rate(outsider, {"money": 2}, ago=30, timepoint=Timepoint.INTAKE)
    rate(outsider, {"money": 6}, ago=3, timepoint=Timepoint.GRADUATION)
    report = evaluation_report(Cohort(program=world.program))
    one = report["cycles"][0]
    assert one["enrolled"] == 7
    assert one["progressed"] == 1
    # JSON-ready: money as strings to the cent.
    assert one["operating_cost"] == "1200.15"
    assert one["cost_per_participant"] == "171.45"  # 1200.15 / 7 = 171.4500
    assert one["cost_per_progressed"] == "1200.15"


def test_a_cycle_without_cost_lines_has_no_cost_rather_than_a_cost_of_nothing(world) -> None:
    (row,) = [
        r
        for r in cycle_costs(Cohort(program=world.program))
        if r["cycle"] == world.rosa_enrolment.cycle.name
    ]
    assert row["enrolled"] >= 1
    assert row["costs_recorded"] is False
    assert row["operating_cost"] is None
    assert row["cost_per_participant"] is None

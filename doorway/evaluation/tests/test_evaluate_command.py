"""`doorway evaluate`: the shape issue 4 asks for, and clear refusals."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from doorway.evaluation.tests.records import rate, woman
from doorway.instruments.models import Timepoint
from doorway.programs.models import CostCategory, CostLine


def evaluate(*args: str) -> str:
    out = io.StringIO()
    call_command("evaluate", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def records(world):
    cycle = world.rosa_enrolment.cycle
    CostLine.objects.create(cycle=cycle, category=CostCategory.STAFF, amount=Decimal("900.00"))
    CostLine.objects.create(cycle=cycle, category=CostCategory.EVALUATION, amount=Decimal("50"))
    her = woman(world, cycle)
    rate(her, {"money": 2, "accommodation": 5}, ago=30, timepoint=Timepoint.INTAKE)
    rate(her, {"money": 4, "accommodation": 5}, ago=5, timepoint=Timepoint.PHASE_CHANGE)
    return cycle


def test_json_shape(world, records) -> None:
    report = json.loads(evaluate("--program", world.program.slug, "--format", "json"))
    assert set(report) >= {
        "program",
        "cohort",
        "definitions",
        "focus_areas",
        "involvement",
        "cycles",
        "process",
        "fidelity",
    }
    assert report["program"] == {"slug": world.program.slug, "name": world.program.name}
    areas = {a["slug"]: a for a in report["focus_areas"]}
    for area in areas.values():
        assert {"area", "slug", "progressed", "assessed", "percent", "mean_change"} <= set(area)
        assert {"distribution", "wilcoxon", "missing"} <= set(area)
    assert (areas["money"]["area"], areas["money"]["progressed"], areas["money"]["assessed"]) == (
        "Money",
        1,
        1,
    )
    assert areas["accommodation"]["progressed"] == 0
    assert areas["money"]["wilcoxon"]["statistic"] == 1.0
    (cycle,) = report["cycles"]
    assert cycle["cycle"] == "Cycle 1"
    assert cycle["enrolled"] == 4  # rosa, tess, uma and her
    assert cycle["operating_cost"] == "900.00"
    assert cycle["evaluation_cost"] == "50.00"
    assert cycle["cost_per_participant"] == "225.00"
    assert {d["term"] for d in report["definitions"]} >= {"Progressed", "Cost per participant"}
    assert report["involvement"]["at"].keys() == {"intake", "graduation", "follow_up"}


def test_default_is_json_and_cycles_can_be_chosen(world, records) -> None:
    report = json.loads(evaluate("--program", world.program.slug, "--cycle", "Cycle 1"))
    assert report["cohort"]["cycles"] == ["Cycle 1"]


def test_csv(world, records) -> None:
    text = evaluate("--program", world.program.slug, "--format", "csv")
    blocks = text.strip().split("\n\n")
    assert len(blocks) == 3
    focus = list(csv.DictReader(io.StringIO(blocks[0].split("\n", 1)[1])))
    money = next(r for r in focus if r["area"] == "Money")
    assert (money["assessed"], money["progressed"], money["percent"]) == ("1", "1", "100")
    cycles = list(csv.DictReader(io.StringIO(blocks[2].split("\n", 1)[1])))
    assert cycles[0]["cycle"] == "Cycle 1"
    assert cycles[0]["cost_per_participant"] == "225.00"


def test_table(world, records) -> None:
    text = evaluate("--program", world.program.slug, "--format", "table")
    assert "Focus areas" in text
    assert "Cycles" in text
    assert "225.00" in text
    assert "Definitions" in text


def test_unknown_program(world) -> None:
    with pytest.raises(CommandError, match="No program with the slug 'nope'"):
        evaluate("--program", "nope")


def test_unknown_cycle(world) -> None:
    with pytest.raises(CommandError, match="no cycle named 'Cycle 9'"):
        evaluate("--program", world.program.slug, "--cycle", "Cycle 9")


def test_bad_date(world) -> None:
    with pytest.raises(CommandError, match="Not a date"):
        evaluate("--program", world.program.slug, "--enrolled-from", "yesterday")

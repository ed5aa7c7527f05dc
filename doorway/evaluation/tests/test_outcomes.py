"""Outcomes follow DESIGN.md's definitions: who counts, what a baseline and a later
rating are, what is missing, and the queries stay fixed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doorway.enrolments.models import Eligibility
from doorway.evaluation import report as report_module
from doorway.evaluation.cohort import (
    Cohort,
    all_enrolments,
    enrolled_enrolments,
    evaluation_enrolments,
)
from doorway.evaluation.outcomes import (
    assessed_and_progressed,
    focus_area_outcomes,
    involvement_outcomes,
    percent,
)
from doorway.evaluation.report import evaluation_report
from doorway.evaluation.tests.records import involvement, rate, woman
from doorway.instruments.models import Timepoint
from doorway.testing.factories import CycleFactory

INTAKE, PHASE, GRAD, FOLLOW = (
    Timepoint.INTAKE,
    Timepoint.PHASE_CHANGE,
    Timepoint.GRADUATION,
    Timepoint.FOLLOW_UP,
)
SUPPORT, HOME, MONEY, WORK = "support-networks", "accommodation", "money", "work-and-learning"


@pytest.fixture
def women(world):
    cycle = world.rosa_enrolment.cycle
    a = woman(world, cycle)
    rate(a, {SUPPORT: 3, HOME: 4, MONEY: 2}, ago=30, timepoint=INTAKE)
    rate(a, {SUPPORT: 5, HOME: 4}, ago=10, timepoint=PHASE)
    b = woman(world, cycle)
    rate(b, {SUPPORT: 6}, ago=30, timepoint=INTAKE)
    rate(b, {SUPPORT: 4, MONEY: 7}, ago=10, timepoint=PHASE)
    c = woman(world, cycle)
    rate(c, {SUPPORT: 5, HOME: 5, MONEY: 5, WORK: 5}, ago=30, timepoint=INTAKE)
    rate(c, {MONEY: 9}, ago=20, timepoint=PHASE)
    rate(c, {MONEY: 8}, ago=5, timepoint=Timepoint.AD_HOC)  # her latest: 8
    # Progress that must not count: no research consent, consent withdrawn.
    for research in ("no", "withdrawn"):
        other = woman(world, cycle, research=research)
        rate(other, {SUPPORT: 1, HOME: 1, MONEY: 1, WORK: 1}, ago=30, timepoint=INTAKE)
        rate(other, {SUPPORT: 9, HOME: 9, MONEY: 9, WORK: 9}, ago=10, timepoint=PHASE)
    return {"a": a, "b": b, "c": c}


def by_slug(rows):
    return {row["slug"]: row for row in rows}


def test_the_three_sets_of_enrolments(world, women) -> None:
    cohort = Cohort(program=world.program)
    ruled_out = woman(world, women["a"].cycle, eligibility=Eligibility.NOT_ELIGIBLE)
    everyone = set(all_enrolments(cohort))
    assert ruled_out in everyone
    assert ruled_out not in set(enrolled_enrolments(cohort))
    # rosa, tess and uma (world) have service consent only.
    assert set(evaluation_enrolments(cohort)) == set(women.values())


def test_focus_areas_follow_the_definitions(world, women) -> None:
    rows = by_slug(focus_area_outcomes(Cohort(program=world.program)))
    assert list(rows) == [SUPPORT, HOME, MONEY, WORK, *list(rows)[4:]]
    support, home, money, work = rows[SUPPORT], rows[HOME], rows[MONEY], rows[WORK]
    # Only the three consenting women count, whatever the others' ratings.
    assert support["participants"] == 3
    # The denominator differs by area.
    assert (support["assessed"], support["progressed"]) == (2, 1)
    assert (home["assessed"], home["progressed"]) == (1, 0)
    assert (money["assessed"], money["progressed"]) == (1, 1)
    assert (work["assessed"], work["progressed"], work["percent"]) == (0, 0, None)
    # Without a later rating she is missing, not "not progressed".
    assert support["missing"] == {"no_baseline": 0, "no_later": 1}
    assert home["missing"] == {"no_baseline": 1, "no_later": 1}
    # B's money rating came later but she has no baseline for it.
    assert money["missing"] == {"no_baseline": 1, "no_later": 1}
    assert work["missing"] == {"no_baseline": 2, "no_later": 1}
    for row in rows.values():
        assert row["assessed"] + sum(row["missing"].values()) == 3
    assert support["percent"] == 50
    assert support["mean_change"] == 0.0
    assert money["mean_change"] == 3.0  # 5 -> her latest, 8
    assert support["improved_same_worse"] == {"improved": 1, "same": 0, "worse": 1}
    assert support["distribution"][INTAKE] == {
        **{str(r): 0 for r in range(1, 11)},
        "3": 1,
        "5": 1,
        "6": 1,
    }
    assert support["distribution"][PHASE]["5"] == 1
    assert support["distribution"][PHASE]["4"] == 1
    assert money["latest_distribution"]["8"] == 1
    assert support["wilcoxon"]["n"] == 2
    assert support["wilcoxon"]["p_value"] == 1.0
    assert work["wilcoxon"] is None


def test_assessed_and_progressed_women(world, women) -> None:
    assessed, progressed = assessed_and_progressed(Cohort(program=world.program))
    a, b, c = women["a"].pk, women["b"].pk, women["c"].pk
    # A: support 3 -> 5; B: support 6 -> 4; C: money 5 -> 8. Nobody outside the research.
    assert assessed == {a, b, c}
    assert progressed == {a, c}


def test_withdrawing_research_consent_removes_her(world, women) -> None:
    cohort = Cohort(program=world.program)
    before = by_slug(focus_area_outcomes(cohort))[MONEY]
    consent = women["c"].participant.consents.get(kind="evaluation")
    consent.withdrawn_on = consent.given_on
    consent.save()
    after = by_slug(focus_area_outcomes(cohort))[MONEY]
    assert (before["assessed"], after["assessed"]) == (1, 0)
    assert after["participants"] == 2


def test_cohort_filters(world, women) -> None:
    later_cycle = CycleFactory(program=world.program, name="Cycle 2")
    d = woman(world, later_cycle)
    rate(d, {SUPPORT: 2}, ago=30, timepoint=INTAKE)
    rate(d, {SUPPORT: 3}, ago=10, timepoint=PHASE)
    only_two = by_slug(focus_area_outcomes(Cohort(program=world.program, cycles=(later_cycle,))))
    assert (only_two[SUPPORT]["assessed"], only_two[SUPPORT]["participants"]) == (1, 1)
    phase_one = world.program.active_phases()[1]
    women["a"].current_phase = phase_one
    women["a"].save()
    reached = Cohort(program=world.program, phase_reached=phase_one.order)
    assert set(evaluation_enrolments(reached)) == {women["a"]}


def test_involvement(world, women) -> None:
    a, b, c = women["a"], women["b"], women["c"]
    involvement(a, "often", ago=30, timepoint=INTAKE)
    involvement(a, "rarely", ago=8, timepoint=GRAD)
    involvement(a, "not_at_all", ago=2, timepoint=FOLLOW)
    involvement(b, "rarely", ago=30, timepoint=INTAKE)
    involvement(b, "rarely", ago=2, timepoint=FOLLOW)
    involvement(c, "at_risk", ago=30, timepoint=INTAKE)
    involvement(c, "sometimes", ago=2, timepoint=FOLLOW)
    stranger = woman(world, a.cycle, research="no")
    involvement(stranger, "always", ago=30, timepoint=INTAKE)
    cohort = Cohort(program=world.program)
    result = involvement_outcomes(cohort)
    assert result["at"][INTAKE] == {
        "not_at_all": 0,
        "rarely": 1,
        "sometimes": 0,
        "often": 1,
        "always": 0,
        "at_risk": 1,
    }
    assert result["summary"][INTAKE] == {
        "participants": 3,
        "answered": 3,
        "involved": 2,
        "not_involved": 0,
        "at_risk": 1,
        "missing": 0,
    }
    assert result["at"][GRAD]["rarely"] == 1
    assert result["summary"][FOLLOW]["not_involved"] == 1
    paired = result["paired"]
    assert (paired["pairs"], paired["scored_pairs"]) == (3, 2)
    assert (paired["improved"], paired["same"], paired["worse"], paired["at_risk"]) == (1, 1, 0, 1)
    assert paired["transitions"]["often"]["not_at_all"] == 1
    assert paired["transitions"]["at_risk"]["sometimes"] == 1
    assert result["missing"] == {
        INTAKE: 0,
        GRAD: 2,
        FOLLOW: 0,
        "intake_without_follow_up": 0,
    }


def test_percent_rounds_half_up() -> None:
    assert percent(19, 30) == 63
    assert percent(17, 34) == 50
    assert percent(1, 8) == 13  # 12.5
    assert percent(52, 55) == 95
    assert percent(2, 55) == 4
    assert percent(0, 0) is None


def _women_with_records(world, n: int) -> None:
    cycle = world.rosa_enrolment.cycle
    for i in range(n):
        e = woman(world, cycle, research="yes" if i % 3 else "no")
        rate(e, {SUPPORT: 2, HOME: 3}, ago=30, timepoint=INTAKE)
        rate(e, {SUPPORT: 2 + i % 4, HOME: 3}, ago=10, timepoint=PHASE)
        involvement(e, "often", ago=30, timepoint=INTAKE)
        involvement(e, "rarely", ago=2, timepoint=FOLLOW)


def _queries(world, *, mine_only: bool, monkeypatch) -> int:
    if mine_only:
        monkeypatch.setattr(report_module, "_optional_part", lambda *a: None)
    with CaptureQueriesContext(connection) as captured:
        evaluation_report(Cohort(program=world.program))
    return len(captured)


@pytest.mark.parametrize("mine_only", [True, False], ids=["outcomes-and-costs", "whole-report"])
def test_queries_do_not_grow_with_participants(world, monkeypatch, mine_only) -> None:
    _women_with_records(world, 2)
    few = _queries(world, mine_only=mine_only, monkeypatch=monkeypatch)
    _women_with_records(world, 18)
    many = _queries(world, mine_only=mine_only, monkeypatch=monkeypatch)
    assert few == many

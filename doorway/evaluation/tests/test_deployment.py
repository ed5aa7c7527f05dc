"""The whole deployment's outcome table: every program she evaluates, the same figures as
each program's own evaluation, suppressed where it may leave the building, and a fixed
number of queries whatever the number of women."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from doorway.audit.models import Action, AuditEntry
from doorway.evaluation.cohort import Cohort
from doorway.evaluation.outcomes import deployment_outcomes, focus_area_outcomes
from doorway.evaluation.tests.records import days_ago, rate, woman
from doorway.instruments.models import Timepoint
from doorway.programs.models import Program
from doorway.testing.factories import CycleFactory, ProgramFactory
from doorway.testing.signin import signed_in

INTAKE, PHASE, FOLLOW = Timepoint.INTAKE, Timepoint.PHASE_CHANGE, Timepoint.FOLLOW_UP
SUPPORT, HOME, MONEY, WORK = "support-networks", "accommodation", "money", "work-and-learning"
URL = "/api/v1/evaluation/deployment/"


@pytest.fixture
def second(world) -> Program:
    """A second program of the same agency: Eve (its evaluator) sees it, Morgan (who
    manages only the first) does not."""
    program = ProgramFactory(agency=world.agency, name="Second", slug="second")
    CycleFactory(program=program, name="Cycle S")
    return program


@pytest.fixture
def records(world, second):
    cycle = world.rosa_enrolment.cycle
    a = woman(world, cycle)
    rate(a, {SUPPORT: 3, HOME: 4}, ago=30, timepoint=INTAKE)
    rate(a, {SUPPORT: 5, HOME: 4}, ago=10, timepoint=PHASE)
    b = woman(world, cycle)
    rate(b, {SUPPORT: 6}, ago=30, timepoint=INTAKE)
    rate(b, {SUPPORT: 7}, ago=28, timepoint=INTAKE)  # a second intake: not her baseline
    rate(b, {SUPPORT: 4, MONEY: 7}, ago=10, timepoint=PHASE)
    c = woman(world, cycle, referred_on=days_ago(50))
    rate(c, {MONEY: 5}, ago=30, timepoint=INTAKE)
    rate(c, {MONEY: 9}, ago=20, timepoint=PHASE)
    rate(c, {MONEY: 8}, ago=5, timepoint=FOLLOW)  # her latest: 8
    rate(c, {MONEY: 1}, ago=40, timepoint=PHASE)  # before her baseline: never her later
    # Not counted: no research consent, consent withdrawn.
    for research in ("no", "withdrawn"):
        other = woman(world, cycle, research=research)
        rate(other, {SUPPORT: 1, MONEY: 1}, ago=30, timepoint=INTAKE)
        rate(other, {SUPPORT: 9, MONEY: 9}, ago=10, timepoint=PHASE)
    s_cycle = second.cycles.get()
    s = woman(world, s_cycle)
    rate(s, {SUPPORT: 2}, ago=30, timepoint=INTAKE)
    rate(s, {SUPPORT: 3}, ago=10, timepoint=PHASE)
    woman(world, s_cycle)  # consenting, never rated
    return second


def rows_by(rows):
    return {(r["program"]["slug"], r["slug"]): r for r in rows}


def test_the_table_follows_the_definitions(world, records) -> None:
    rows = rows_by(deployment_outcomes(Program.objects.all()))
    support = rows[(world.program.slug, SUPPORT)]
    # Three consenting women: A 3 -> 5, B 6 -> 4 (her first intake), C no support rating.
    assert (support["participants"], support["assessed"], support["progressed"]) == (3, 2, 1)
    assert support["percent"] == 50
    assert support["mean_change"] == 0.0
    assert support["missing"] == {"no_baseline": 1, "no_later": 0}
    home = rows[(world.program.slug, HOME)]
    assert (home["assessed"], home["progressed"], home["mean_change"]) == (1, 0, 0.0)
    assert home["missing"] == {"no_baseline": 2, "no_later": 0}
    money = rows[(world.program.slug, MONEY)]
    # C: 5 -> 8; B has a later money rating but no baseline.
    assert (money["assessed"], money["progressed"], money["mean_change"]) == (1, 1, 3.0)
    assert money["missing"] == {"no_baseline": 2, "no_later": 0}
    work = rows[(world.program.slug, WORK)]
    assert (work["assessed"], work["percent"], work["mean_change"]) == (0, None, None)
    assert work["missing"] == {"no_baseline": 3, "no_later": 0}
    # The second program counts its own two women only.
    other = rows[("second", SUPPORT)]
    assert (other["participants"], other["assessed"], other["progressed"]) == (2, 1, 1)
    assert other["missing"] == {"no_baseline": 1, "no_later": 0}
    # Programs by name, areas in their order.
    names = [r["program"]["name"] for r in deployment_outcomes(Program.objects.all())]
    assert names == sorted(names)


def test_the_table_agrees_with_each_programs_own_evaluation(world, records) -> None:
    rows = rows_by(deployment_outcomes(Program.objects.all()))
    for program in Program.objects.all():
        for own in focus_area_outcomes(Cohort(program=program)):
            row = rows[(program.slug, own["slug"])]
            for key in ("participants", "assessed", "progressed", "percent", "mean_change"):
                assert row[key] == own[key], (program.slug, own["slug"], key)
            assert row["missing"] == own["missing"]


def _queries(programs) -> int:
    with CaptureQueriesContext(connection) as captured:
        deployment_outcomes(programs)
    return len(captured)


def test_queries_do_not_grow_with_women_or_programs(world, second) -> None:
    cycle = world.rosa_enrolment.cycle
    one = woman(world, cycle)
    rate(one, {SUPPORT: 2}, ago=30, timepoint=INTAKE)
    rate(one, {SUPPORT: 4}, ago=10, timepoint=PHASE)
    few = _queries(Program.objects.filter(pk=world.program.pk))
    for i in range(12):
        her = woman(world, cycle if i % 2 else second.cycles.get())
        rate(her, {SUPPORT: 2, MONEY: 3}, ago=30, timepoint=INTAKE)
        rate(her, {SUPPORT: 1 + i % 5, MONEY: 4}, ago=10, timepoint=PHASE)
    third = ProgramFactory(agency=world.agency, name="Third", slug="third")
    CycleFactory(program=third)
    assert _queries(Program.objects.all()) == few == 3


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("who", ["alice", "bianca", "pat", "ada", "oscar"])
def test_roles_that_never_see_an_evaluation_are_refused(world, records, who) -> None:
    assert api(getattr(world, who)).get(URL).status_code == 403


def test_the_api_gives_her_programs_only_suppressed_and_audited(
    world, records, any_cohort_size
) -> None:
    response = api(world.eve).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert {r["program"]["slug"] for r in body["focus_areas"]} == {world.program.slug, "second"}
    support = next(
        r
        for r in body["focus_areas"]
        if (r["program"]["slug"], r["slug"]) == (world.program.slug, SUPPORT)
    )
    # 3 women, 2 assessed, 1 progressed: all small, so none is shown (a perturbation of
    # at most 2 may make 3 into 5), nor the shares, nor the mean of two women's changes.
    assert support["participants"] in ("<5", 5)
    assert (support["assessed"], support["progressed"]) == ("<5", "<5")
    assert (support["percent"], support["mean_change"]) == (None, None)
    assert support["missing"] == {"no_baseline": "<5", "no_later": 0}
    assert AuditEntry.objects.filter(
        action=Action.VIEW, detail__api="evaluation.deployment"
    ).exists()
    # Morgan manages the first program only; Olive, another agency's.
    mine = api(world.morgan).get(URL).json()["focus_areas"]
    assert {r["program"]["slug"] for r in mine} == {world.program.slug}
    theirs = api(world.olive).get(URL).json()["focus_areas"]
    assert world.program.slug not in {r["program"]["slug"] for r in theirs}


def test_large_counts_are_shown_with_their_share(world, second) -> None:
    for i in range(6):
        her = woman(world, second.cycles.get())
        rate(her, {SUPPORT: 3}, ago=30, timepoint=INTAKE)
        rate(her, {SUPPORT: 4 if i < 5 else 2}, ago=10, timepoint=PHASE)
    second.staff.add(world.morgan)
    rows = api(world.morgan).get(URL).json()["focus_areas"]
    support = next(r for r in rows if (r["program"]["slug"], r["slug"]) == ("second", SUPPORT))
    assert (support["participants"], support["assessed"], support["progressed"]) == (6, 6, 5)
    assert support["percent"] == "83%"
    assert support["mean_change"] == 0.67  # (5 x 1 - 1) / 6


def test_an_evaluator_sees_large_counts_perturbed_with_shares_of_what_she_sees(
    world, second, any_cohort_size
) -> None:
    for i in range(6):
        her = woman(world, second.cycles.get())
        rate(her, {SUPPORT: 3}, ago=30, timepoint=INTAKE)
        rate(her, {SUPPORT: 4 if i < 5 else 2}, ago=10, timepoint=PHASE)
    rows = api(world.eve).get(URL).json()["focus_areas"]
    support = next(r for r in rows if (r["program"]["slug"], r["slug"]) == ("second", SUPPORT))
    for key, truth in (("participants", 6), ("assessed", 6), ("progressed", 5)):
        assert support[key] == "<5" or abs(support[key] - truth) <= 2, key
    if isinstance(support["assessed"], int) and isinstance(support["progressed"], int):
        share = int(100 * support["progressed"] / support["assessed"] + 0.5)  # half up
        assert support["percent"] == f"{share}%"
        assert support["mean_change"] == 0.7  # to one decimal only
    # Asked again, the same figures: nothing to average away.
    assert api(world.eve).get(URL).json()["focus_areas"] == rows


def test_the_schema_documents_the_endpoint(world) -> None:
    response = api(world.eve).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/evaluation/deployment/" in response.json()["paths"]


def test_the_home_page_shows_the_table(client, world, records, any_cohort_size) -> None:
    signed_in(client, world.eve)
    response = client.get(reverse("evaluation_home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "deployment-outcomes-table" in page
    assert "Second" in page
    assert "&lt;5" in page  # an evaluator sees small cells suppressed
    # A program manager of several programs sees her own programs' counts as they are.
    records_manager = world.morgan
    records.staff.add(records_manager)
    signed_in(client, records_manager)
    page = client.get(reverse("evaluation_home")).content.decode()
    assert "deployment-outcomes-table" in page
    assert "&lt;5" not in page
    signed_in(client, world.ada)
    assert client.get(reverse("evaluation_home")).status_code == 403

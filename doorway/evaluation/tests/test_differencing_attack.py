"""The differencing attack, as an evaluator would run it on the demo: two cohorts one
referral date apart differ by the women referred that day; when one woman is alone on
her date, the difference between the two involvement tables is her own answers at
intake, graduation and follow-up. Run over every referral date, on the page and the
API, the attack must recover no one: cohorts are whole cycles, so no two cohorts an
evaluator can ask for differ by one woman, and every count is perturbed. The demo's
research export is checked here too, on the same load of the demo."""

from __future__ import annotations

import datetime
import itertools
from collections import Counter, defaultdict
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from doorway.evaluation import disclosure
from doorway.evaluation.cohort import Cohort, evaluation_enrolments
from doorway.evaluation.export import build_export
from doorway.evaluation.report import evaluation_report
from doorway.evaluation.tests.records import days_ago, involvement, woman
from doorway.evaluation.tests.test_export_anonymity import assert_no_one_singled_out
from doorway.instruments.models import Timepoint
from doorway.people.roles import Role
from doorway.programs.models import Program
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

TIMEPOINTS = ("intake", "graduation", "follow_up")
Table = dict[str, dict[str, Any]]  # {timepoint: {answer code: count as shown}}


@pytest.fixture
def loaded(demo_in_module: Any) -> Any:
    return demo_in_module


def lone_women(program: Program) -> dict[datetime.date, Table]:
    """{referral date: her answers} for each consenting woman alone on her referral
    date, read by the server itself (the truth the attack is checked against)."""
    dates = Counter(evaluation_enrolments(Cohort(program)).values_list("referred_on", flat=True))
    truth = {}
    for day, n in dates.items():
        if n == 1:
            report = evaluation_report(Cohort(program, enrolled_from=day, enrolled_to=day))
            truth[day] = report["involvement"]["at"]
    return truth


def cycle_answers(program: Program, cycle_pk: str) -> Table:
    """One cycle's true answers, read by the server itself."""
    cycle = program.cycles.get(pk=cycle_pk)
    return evaluation_report(Cohort(program, cycles=(cycle,)))["involvement"]["at"]


def referral_dates(program: Program) -> list[datetime.date]:
    return sorted(set(evaluation_enrolments(Cohort(program)).values_list("referred_on", flat=True)))


def inferred(before: Table | None, after: Table | None) -> dict[str, str]:
    """What the attacker reads from two tables: at each timepoint where exactly one
    answer went up by one and nothing else moved, that answer."""
    if before is None or after is None:
        return {}
    found = {}
    for tp in TIMEPOINTS:
        was, now = before.get(tp) or {}, after.get(tp) or {}
        diff = {}
        for code in set(was) | set(now):
            a, b = was.get(code, 0), now.get(code, 0)
            if not isinstance(a, int) or not isinstance(b, int):
                break
            diff[code] = b - a
        else:
            moved = {code: d for code, d in diff.items() if d}
            if list(moved.values()) == [1]:
                found[tp] = next(iter(moved))
    return found


def recovered(truth: dict[datetime.date, Table], reads: dict[datetime.date, dict[str, str]]) -> int:
    """Women for whom the attacker's reading at some timepoint is her true answer."""
    women = 0
    for day, answers in truth.items():
        guess = reads.get(day, {})
        if any(answers.get(tp, {}).get(code) == 1 for tp, code in guess.items()):
            women += 1
    return women


def attack(read: Any, dates: list[datetime.date]) -> dict[datetime.date, dict[str, str]]:
    """Cohort "referred up to the day before" against "referred up to the day"."""
    reads = {}
    previous = read({"enrolled_to": (dates[0] - datetime.timedelta(days=1)).isoformat()})
    for day in dates:
        current = read({"enrolled_to": day.isoformat()})
        reads[day] = inferred(previous, current)
        previous = current
    return reads


def api_table(client: APIClient, url: str, query: dict[str, str]) -> Table | None:
    response = client.get(url, query)
    if response.status_code != 200:
        assert response.status_code == 400
        assert set(query) <= set(response.json()["errors"])
        return None
    return {
        row["timepoint"]: {a["code"]: a["count"] for a in row["answers"]}
        for row in response.json()["involvement"]
    }


def page_table(client: Any, url: str, query: dict[str, str]) -> Table | None:
    response = client.get(url, query)
    if response.status_code != 200:
        assert response.status_code == 400
        for name in query:
            assert name in response.content.decode()
        return None
    return response.context["report"]["involvement"]["at"]


def test_differencing_referral_dates_through_the_api_recovers_no_one(loaded) -> None:
    program = loaded.program
    truth = lone_women(program)
    assert len(truth) > 20  # the demo has many women alone on their referral date
    client = APIClient()
    client.force_authenticate(program.staff.get(username="evaluator"))
    url = f"/api/v1/evaluation/{program.slug}/outcomes/"
    reads = attack(lambda q: api_table(client, url, q), referral_dates(program))
    assert recovered(truth, reads) == 0
    assert not any(reads.values())


def test_differencing_referral_dates_on_the_page_recovers_no_one(client, loaded) -> None:
    program = loaded.program
    truth = lone_women(program)
    signed_in(client, program.staff.get(username="evaluator"))
    url = reverse("evaluation_page", args=[program.slug])
    reads = attack(lambda q: page_table(client, url, q), referral_dates(program))
    assert recovered(truth, reads) == 0
    assert not any(reads.values())


def test_differencing_the_cohorts_an_evaluator_may_choose_recovers_no_one(loaded) -> None:
    """What is left to an evaluator: sets of whole cycles. A cycle with one consenting
    woman (a new intake) is in no published cohort, so no two cohorts differ by her;
    the others differ by at least one whole cycle, and every count carries its own
    perturbation."""
    program = loaded.program
    current = program.cycles.get(name="Current intake")
    worker = program.staff.filter(role=Role.CASE_MANAGER).first()
    alone = woman(SimpleNamespace(alice=worker), current, referred_on=days_ago(20))
    involvement(alone, "always", ago=15, timepoint=Timepoint.INTAKE)
    client = APIClient()
    client.force_authenticate(program.staff.get(username="evaluator"))
    url = f"/api/v1/evaluation/{program.slug}/outcomes/"
    cycles = [str(pk) for pk in program.cycles.order_by("starts_on").values_list("pk", flat=True)]
    tables = {}
    for size in range(1, len(cycles) + 1):
        for chosen in itertools.combinations(cycles, size):
            response = client.get(url, {"cycles": list(chosen)})
            if response.status_code == 200:
                tables[frozenset(chosen)] = {
                    row["timepoint"]: {a["code"]: a["count"] for a in row["answers"]}
                    for row in response.json()["involvement"]
                }
            else:
                assert response.status_code == 400
    response = client.get(url)
    assert response.status_code == 200
    tables[frozenset()] = {
        row["timepoint"]: {a["code"]: a["count"] for a in row["answers"]}
        for row in response.json()["involvement"]
    }
    assert len(tables) >= 16  # every set of the four finished cycles, and "all"
    own = {pk: cycle_answers(program, pk) for pk in cycles}
    for bigger, smaller in itertools.permutations(tables, 2):
        if smaller < bigger and len(bigger - smaller) == 1:
            (added,) = bigger - smaller
            # The perturbation can make a whole cycle look like "one more answer";
            # that reads no one unless the cycle really had one answer there.
            for tp, code in inferred(tables[smaller], tables[bigger]).items():
                assert sum(own[added].get(tp, {}).values()) != 1 or own[added][tp][code] != 1
    # "All cycles" is the four finished cycles: her cycle is not in it.
    assert tables[frozenset()] == tables[frozenset(cycles) - {str(current.pk)}]


def test_no_combination_of_the_demo_exports_describing_columns_singles_out_fewer_than_5(
    loaded,
) -> None:
    # The research export's own rule (test_export_anonymity.py), on the demo's cohort.
    assert loaded.program is not None
    export = build_export(disclosure.published_cohort(loaded.program))
    assert len(export.rows) >= 40  # most of the 55 women are still in it
    assert_no_one_singled_out(export.rows)
    dictionary = export.dictionary()
    assert "What was generalised in this export:" in dictionary
    assert "months_enrolled in bands" in dictionary


# Averaging a cycle's figures over the cohorts that hold it: `cycles/<A>/enrolled`
# (graduated, progressed) is one true figure whatever cohort it is read in. Were its
# perturbation keyed on the cohort, each of the cohorts holding cycle A would give a
# fresh offset, and the midpoint of the smallest and largest readings would be the exact
# count. Keyed on the cycle's own records, every reading is the same.

FIGURES = ("enrolled", "graduated", "progressed")


def cohorts(program: Any) -> list[tuple[str, ...]]:
    cycles = [str(c.pk) for c in disclosure.publishable_cycles(program)]
    assert len(cycles) >= 3  # enough cohorts hold each cycle for averaging to pay
    return [
        chosen
        for size in range(1, len(cycles) + 1)
        for chosen in itertools.combinations(cycles, size)
    ]


def test_a_cycles_figures_read_the_same_in_every_cohort_through_the_api(loaded) -> None:
    program = loaded.program
    client = APIClient()
    client.force_authenticate(program.staff.get(username="evaluator"))
    url = f"/api/v1/evaluation/{program.slug}/outcomes/"
    readings: dict[tuple[str, str], set[Any]] = defaultdict(set)
    for chosen in cohorts(program):
        response = client.get(url, {"cycles": list(chosen)})
        assert response.status_code == 200
        for row in response.json()["cycles"]:
            for figure in ("enrolled", "graduated"):
                readings[(row["cycle"], figure)].add(row[figure])
    assert readings
    assert {k: v for k, v in readings.items() if len(v) > 1} == {}


def test_a_cycles_figures_read_the_same_in_every_cohort_on_the_page(client, loaded) -> None:
    program = loaded.program
    signed_in(client, program.staff.get(username="evaluator"))
    url = reverse("evaluation_page", args=[program.slug])
    readings: dict[tuple[str, str], set[Any]] = defaultdict(set)
    for chosen in cohorts(program):
        response = client.get(url, {"cycles": list(chosen)})
        assert response.status_code == 200
        for row in response.context["report"]["cycles"]:
            for figure in FIGURES:
                readings[(row["cycle"], figure)].add(row[figure])
    assert readings
    assert {k: v for k, v in readings.items() if len(v) > 1} == {}

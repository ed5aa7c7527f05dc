"""Averaging a cycle's figures over the cohorts that hold it: `cycles/<A>/enrolled`
(graduated, progressed) is one true figure whatever cohort it is read in. Were its
perturbation keyed on the cohort, each of the cohorts holding cycle A would give a fresh
offset, and the midpoint of the smallest and largest readings would be the exact count.
Keyed on the cycle's own records, every reading is the same."""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from doorway.evaluation import disclosure
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

FIGURES = ("enrolled", "graduated", "progressed")


@pytest.fixture
def loaded(demo_in_module: Any) -> Any:
    return demo_in_module


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

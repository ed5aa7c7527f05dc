"""A program with no focus areas (yet) has an evaluation like any other: its page, its
funder report and its outcomes API answer, with no focus-area rows, instead of a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from doorway.evaluation.tests.records import involvement, woman
from doorway.instruments.models import Timepoint
from doorway.testing.signin import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("any_cohort_size")]


@pytest.fixture
def no_focus_areas(world):
    her = woman(world, world.rosa_enrolment.cycle)
    involvement(her, "often", ago=20, timepoint=Timepoint.INTAKE)
    world.program.focus_areas.update(retired=True)  # none left in use
    assert not world.program.active_focus_areas().exists()
    return world


@pytest.mark.parametrize("who", ["morgan", "eve"])
@pytest.mark.parametrize("page", ["evaluation_page", "funder_report"])
def test_the_pages_answer(client, no_focus_areas, who, page) -> None:
    signed_in(client, no_focus_areas.staff()[who])
    response = client.get(reverse(page, args=[no_focus_areas.program.slug]))
    assert response.status_code == 200
    assert response.context["report"]["focus_areas"] == []


@pytest.mark.parametrize("who", ["morgan", "eve"])
def test_the_outcomes_api_answers(no_focus_areas, who) -> None:
    client = APIClient()
    client.force_authenticate(no_focus_areas.staff()[who])
    response = client.get(f"/api/v1/evaluation/{no_focus_areas.program.slug}/outcomes/")
    assert response.status_code == 200
    assert response.json()["focus_areas"] == []
    assert response.json()["involvement"]

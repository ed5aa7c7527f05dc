"""The theory of change's indicators, read before and after one woman's follow-up is
recorded: were they exact for an evaluator, "Not involved in sex work at follow-up: X of
Y" moving to "X+1 of Y+1" would be her answer. An evaluator (who does not reach the
women's records) is shown no indicator value; a program manager, who reaches every
record of her program, still sees them exactly."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from doorway.conftest import World
from doorway.evaluation import exit_doors_here
from doorway.evaluation.models import ChangeLink, ChangeStep
from doorway.evaluation.tests.records import involvement, woman
from doorway.evaluation.theory import actions as theory
from doorway.instruments.models import Timepoint
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

NAME = "Not involved in sex work at follow-up"
PAGES = ("theory_detail", "theory_story")


def carry_the_indicator(world: World) -> None:
    exit_doors_here.install(world.program)
    steps = {s.key: s for s in ChangeStep.objects.filter(program=world.program)}
    link = ChangeLink.objects.get(source=steps["outreach"], target=steps["women-engaged"])
    theory.add_indicator(link, by=world.eve, indicator="not-involved-at-follow-up")


def readings(client, world: World) -> dict[str, list[str]]:
    """Every figure shown beside the indicator, on the theory page and the story."""
    found = {}
    for page in PAGES:
        html = client.get(reverse(page, args=[world.program.pk])).content.decode()
        assert NAME in html
        found[page] = re.findall(rf"{NAME}:\s*(?:<strong>)?([^<]*)", html)
    return found


def test_an_evaluator_reads_nothing_of_one_womans_follow_up(client, world: World) -> None:
    carry_the_indicator(world)
    signed_in(client, world.eve)
    before = readings(client, world)
    her = woman(world, world.rosa_enrolment.cycle, exit_reason="graduated")
    involvement(her, "not_at_all", ago=2, timepoint=Timepoint.FOLLOW_UP)
    after = readings(client, world)
    assert before == after
    for page in PAGES:
        html = client.get(reverse(page, args=[world.program.pk])).content.decode()
        assert not re.search(r"\d+ of \d+", html)
        assert "shown to program managers" in html


def test_a_program_manager_still_reads_the_indicator_exactly(client, world: World) -> None:
    carry_the_indicator(world)
    signed_in(client, world.morgan)
    her = woman(world, world.rosa_enrolment.cycle, exit_reason="graduated")
    involvement(her, "not_at_all", ago=2, timepoint=Timepoint.FOLLOW_UP)
    for page, figures in readings(client, world).items():
        assert any(f.strip().startswith("1 of 1") for f in figures), page

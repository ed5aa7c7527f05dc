"""The demo's plans are written through the actions and are the same for the same seed."""

from __future__ import annotations

import random

import pytest

from doorway.conftest import World
from doorway.plans.demo import give_plan
from doorway.plans.models import Goal, Step

pytestmark = pytest.mark.django_db


def test_a_demo_enrolment_gets_a_plan_with_goals_steps_and_a_review(world: World) -> None:
    enrolment = world.rosa_enrolment
    enrolment.move_to(enrolment.program.active_phases()[1], by=world.alice)
    plan = give_plan(enrolment, random.Random(3))
    assert 2 <= Goal.objects.filter(plan=plan).count() <= 3
    assert Step.objects.filter(goal__plan=plan).count() >= 4
    assert enrolment.plan_reviews.count() == 1
    assert enrolment.phase_plans.get().focus_areas.count() in {2, 3}

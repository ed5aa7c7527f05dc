"""Shared helpers for the plan tests: a plan for Rosa through the actions."""

from __future__ import annotations

import datetime

from django.utils import timezone

from doorway.conftest import World
from doorway.plans.actions import add_goal, add_step, save_service_plan
from doorway.plans.models import Goal, ServicePlan
from doorway.programs.models import FocusArea

HER_WORDS = "A flat of my own and my kids back"
PRIVATE = "Ex-partner still calls her; check safety plan"


def areas(world: World) -> list[FocusArea]:
    return list(FocusArea.objects.filter(program=world.program).order_by("order"))


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def plan_for(world: World, enrolment=None, goals: int = 2) -> tuple[ServicePlan, list[Goal]]:
    enrolment = enrolment or world.rosa_enrolment
    plan = save_service_plan(
        enrolment,
        by=enrolment.case_manager,
        agreed_on=days_ago(3),
        her_words=HER_WORDS,
        private_notes=PRIVATE,
    )
    program_areas = list(FocusArea.objects.filter(program=enrolment.cycle.program_id))
    made = []
    for n in range(goals):
        goal = add_goal(
            enrolment,
            by=enrolment.case_manager,
            focus_area=program_areas[n % len(program_areas)],
            her_words=f"Goal number {n}",
            target_on=days_ago(-30),
        )
        add_step(goal, by=enrolment.case_manager, what=f"Step for goal {n}", target_on=days_ago(-7))
        made.append(goal)
    return plan, made

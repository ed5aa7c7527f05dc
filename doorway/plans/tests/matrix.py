"""Permission-matrix rows for her plan. A peer mentor gets no plan page at all (403);
an administrator who broke the glass reads the plan, and no form; nor does she print it
(a print leaves Doorway, on her disclosure log: her care team gives it to her)."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from doorway.plans.actions import add_goal, add_step, save_service_plan
from doorway.plans.models import Goal, PhasePlan, PlanReview, ServicePlan, StatusChange, Step
from doorway.programs.models import FocusArea
from doorway.testing.matrix import Endpoint, today


def _url(name: str, *extra: str) -> Any:
    return lambda w, x: reverse(name, args=[w.rosa_enrolment.pk, *(x[k].pk for k in extra)])


def _area(w: Any) -> str:
    return str(FocusArea.objects.filter(program=w.program).order_by("order")[0].pk)


def _form(name: str, *extra: str) -> list[Endpoint]:
    return [Endpoint(name, "GET", _url(name, *extra), glass_reads=False)]


ENDPOINTS = [
    Endpoint("plan_detail", "GET", _url("plan_detail")),
    Endpoint("plan_print", "GET", _url("plan_print"), glass_reads=False),
    *_form("plan_agree"),
    Endpoint(
        "plan_agree",
        "POST",
        _url("plan_agree"),
        lambda w, x: {"agreed_on": today(), "her_words": "A flat of my own, changed"},
    ),
    *_form("phase_plan_set"),
    Endpoint(
        "phase_plan_set",
        "POST",
        _url("phase_plan_set"),
        lambda w, x: {"agreed_on": today(), "focus_areas": [_area(w)]},
    ),
    *_form("goal_add"),
    Endpoint(
        "goal_add",
        "POST",
        _url("goal_add"),
        lambda w, x: {"focus_area": _area(w), "her_words": "Open a bank account"},
    ),
    *_form("goal_edit", "goal"),
    Endpoint(
        "goal_edit",
        "POST",
        _url("goal_edit", "goal"),
        lambda w, x: {"focus_area": _area(w), "her_words": "Find a safe place, soon"},
    ),
    *_form("goal_status", "goal"),
    Endpoint(
        "goal_status",
        "POST",
        _url("goal_status", "goal"),
        lambda w, x: {"status": "in_progress", "on": today()},
    ),
    *_form("step_add", "goal"),
    Endpoint(
        "step_add",
        "POST",
        _url("step_add", "goal"),
        lambda w, x: {"what": "Call the housing worker"},
    ),
    *_form("step_edit", "step"),
    Endpoint(
        "step_edit",
        "POST",
        _url("step_edit", "step"),
        lambda w, x: {"what": "Visit the shelter", "status": "achieved", "on": today()},
    ),
    *_form("plan_review"),
    Endpoint(
        "plan_review",
        "POST",
        _url("plan_review"),
        lambda w, x: {
            "reviewed_on": today(),
            "decided": "Keep going",
            f"goal_{x['goal'].pk}": "in_progress",
        },
    ),
]


def setup(world: Any) -> dict[str, Any]:
    enrolment = world.rosa_enrolment
    agreed = max(enrolment.referred_on, timezone.localdate() - datetime.timedelta(days=7))
    save_service_plan(
        enrolment,
        by=world.alice,
        agreed_on=agreed,
        her_words="A flat of my own",
        private_notes="Worried about her ex",
    )
    area = FocusArea.objects.filter(program=world.program).order_by("order").first()
    goal = add_goal(enrolment, by=world.alice, focus_area=area, her_words="Find a safe place")
    step = add_step(goal, by=world.alice, what="Visit the shelter")
    return {"goal": goal, "step": step}


def snapshot(world: Any) -> tuple[object, ...]:
    enrolment = world.rosa_enrolment
    goals = Goal.objects.filter(plan__enrolment=enrolment).order_by("pk")
    return (
        tuple((p.agreed_on, p.her_words) for p in ServicePlan.objects.filter(enrolment=enrolment)),
        tuple((g.pk, g.focus_area_id, g.her_words, g.status) for g in goals),
        tuple(
            (s.pk, s.what, s.status)
            for s in Step.objects.filter(goal__plan__enrolment=enrolment).order_by("pk")
        ),
        StatusChange.objects.filter(goal__plan__enrolment=enrolment).count(),
        tuple(PhasePlan.objects.filter(enrolment=enrolment).values_list("pk", "focus_areas")),
        PlanReview.objects.filter(enrolment=enrolment).count(),
    )

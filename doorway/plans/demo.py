"""Demo plans: a plan agreed with her, a phase plan, two or three goals with steps, a
status move and, after a phase change, a review; all through the plan actions, so the
demo holds nothing the pages could not have written. Deterministic for a given `rng`."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable

from django.utils import timezone

from doorway.enrolments.models import Enrolment
from doorway.plans import actions
from doorway.plans.models import ServicePlan, Status
from doorway.plans.queries import review_due_since
from doorway.programs.models import FocusArea

WISHES = [
    "A place of my own where I feel safe, and time with my daughter.",
    "To get out of the life and finish my high school diploma.",
    "Steady work, my own bank account, and people around me who are good for me.",
    "To stop looking over my shoulder and sleep through the night.",
]
GOALS = {
    "accommodation": (
        "Get on the housing list and move into my own place",
        ["Fill in the housing application", "Visit two rooms with my worker"],
    ),
    "money": (
        "Open a bank account and save a little each week",
        ["Get my ID replaced", "Open the account at the credit union"],
    ),
    "support-networks": (
        "Have two people I can call when it gets hard",
        ["Come to the weekly drop-in", "Call my sister once a week"],
    ),
    "work-and-learning": (
        "Start an employment program",
        ["Meet the employment counsellor", "Write a first CV"],
    ),
}


def give_plan(
    enrolment: Enrolment,
    rng: random.Random,
    today: datetime.date | None = None,
    *,
    review: bool = True,
) -> ServicePlan:
    """Give one open demo enrolment a plan with two or three goals, steps and, when her
    phase changed, a review."""
    today = today or timezone.localdate()
    worker = enrolment.case_manager
    start = max(enrolment.referred_on, enrolment.phase_started_on - datetime.timedelta(days=30))
    agreed = min(today, start + datetime.timedelta(days=rng.randint(1, 14)))
    plan = actions.save_service_plan(
        enrolment,
        by=worker,
        agreed_on=agreed,
        her_words=rng.choice(WISHES),
        private_notes="Prefers text messages; check in before court dates.",
    )
    areas = {
        a.slug: a
        for a in FocusArea.objects.filter(program=enrolment.cycle.program_id, slug__in=GOALS)
    }
    chosen = rng.sample(sorted(areas), k=min(len(areas), rng.choice([2, 3])))
    actions.set_phase_plan(
        enrolment,
        by=worker,
        focus_areas=[areas[s] for s in chosen],
        agreed_on=max(agreed, enrolment.phase_started_on),
    )
    for n, slug in enumerate(chosen):
        words, steps = GOALS[slug]
        goal = actions.add_goal(
            enrolment,
            by=worker,
            focus_area=areas[slug],
            her_words=words,
            target_on=today + datetime.timedelta(days=rng.randint(30, 90)),
        )
        made = [
            actions.add_step(
                goal, by=worker, what=what, target_on=today + datetime.timedelta(days=14 * (i + 1))
            )
            for i, what in enumerate(steps)
        ]
        if n == 0:
            actions.change_goal_status(goal, by=worker, status=Status.IN_PROGRESS, on=agreed)
            actions.edit_step(
                made[0],
                by=worker,
                what=made[0].what,
                target_on=made[0].target_on,
                status=Status.ACHIEVED,
                on=today,
            )
    since = review_due_since(enrolment)
    if since is not None and review:
        actions.record_review(
            enrolment,
            by=worker,
            reviewed_on=min(today, since + datetime.timedelta(days=rng.randint(0, 10))),
            decided="Went over her goals together after the phase change; kept them.",
        )
    return plan


def give_plans(
    enrolments: Iterable[Enrolment], rng: random.Random, today: datetime.date | None = None
) -> int:
    """Plans for the open enrolments past the pre-phase that have none yet; how many."""
    made = 0
    for enrolment in enrolments:
        if not enrolment.is_open or ServicePlan.objects.filter(enrolment=enrolment).exists():
            continue
        if enrolment.current_phase.order == 0:
            continue  # still making the connection: no plan yet
        # Some reviews left undone, so that the caseload has some to show.
        give_plan(enrolment, rng, today, review=rng.random() < 0.6)
        made += 1
    return made

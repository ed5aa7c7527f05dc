"""Writing her plan through the actions: what is checked, what is kept, what is audited."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.plans.actions import (
    add_goal,
    change_goal_status,
    edit_step,
    record_review,
    save_service_plan,
    set_phase_plan,
)
from doorway.plans.models import Goal, PhasePlan, PlanReview, ServicePlan, Status, StatusChange
from doorway.plans.tests.support import HER_WORDS, PRIVATE, areas, days_ago, plan_for
from doorway.programs.models import FocusArea

pytestmark = pytest.mark.django_db


def test_agreeing_a_plan_encrypts_her_words_and_audits_field_names_only(world: World) -> None:
    plan, _ = plan_for(world, goals=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT her_words, private_notes FROM plans_serviceplan")
        row = cursor.fetchone()
    assert HER_WORDS not in row[0]
    assert PRIVATE not in row[1]
    assert ServicePlan.objects.get().her_words == HER_WORDS
    entry = AuditEntry.objects.filter(object_id=str(plan.pk)).get()
    assert entry.detail["fields"] == ["agreed_on", "her_words", "private_notes"]
    assert HER_WORDS not in str(entry.detail)


def test_changing_the_plan_keeps_the_earlier_version(world: World) -> None:
    plan, _ = plan_for(world, goals=0)
    save_service_plan(
        world.rosa_enrolment, by=world.alice, agreed_on=plan.agreed_on, her_words="New words"
    )
    assert ServicePlan.objects.count() == 1
    versions = list(plan.history.order_by("history_date").values_list("her_words", flat=True))
    assert len(versions) == 2
    assert ServicePlan.objects.get().her_words == "New words"


def test_plan_dates_cannot_be_in_the_future_or_before_her_referral(world: World) -> None:
    for when in (days_ago(-1), world.rosa_enrolment.referred_on - datetime.timedelta(1)):
        with pytest.raises(ValidationError) as refused:
            save_service_plan(world.rosa_enrolment, by=world.alice, agreed_on=when, her_words="x")
        assert "agreed_on" in refused.value.message_dict
    assert not ServicePlan.objects.exists()


def test_every_problem_is_reported_at_once(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        save_service_plan(world.rosa_enrolment, by=world.alice, agreed_on=None, her_words=" ")
    assert set(refused.value.message_dict) == {"agreed_on", "her_words"}


def test_a_phase_plan_names_one_to_three_focus_areas_of_her_program(world: World) -> None:
    program_areas = areas(world)
    for chosen in ([], program_areas[:4]):
        with pytest.raises(ValidationError) as refused:
            set_phase_plan(
                world.rosa_enrolment, by=world.alice, focus_areas=chosen, agreed_on=days_ago(0)
            )
        assert "focus_areas" in refused.value.message_dict
    foreign = FocusArea.objects.filter(program=world.other_program).first()
    assert foreign is not None
    with pytest.raises(ValidationError):
        set_phase_plan(
            world.rosa_enrolment, by=world.alice, focus_areas=[foreign], agreed_on=days_ago(0)
        )
    assert not PhasePlan.objects.exists()
    set_phase_plan(
        world.rosa_enrolment, by=world.alice, focus_areas=program_areas[:3], agreed_on=days_ago(0)
    )
    # Setting it again replaces the areas of the same phase.
    phase_plan = set_phase_plan(
        world.rosa_enrolment, by=world.alice, focus_areas=program_areas[:1], agreed_on=days_ago(0)
    )
    assert PhasePlan.objects.count() == 1
    assert list(phase_plan.focus_areas.all()) == program_areas[:1]


def test_a_goal_needs_a_plan_and_a_focus_area_of_her_program(world: World) -> None:
    with pytest.raises(ValidationError):
        add_goal(world.rosa_enrolment, by=world.alice, focus_area=areas(world)[0], her_words="x")
    plan_for(world, goals=0)
    foreign = FocusArea.objects.filter(program=world.other_program).first()
    with pytest.raises(ValidationError) as refused:
        add_goal(world.rosa_enrolment, by=world.alice, focus_area=foreign, her_words="")
    assert set(refused.value.message_dict) == {"focus_area", "her_words"}
    assert not Goal.objects.exists()


def test_status_moves_are_dated_and_kept(world: World) -> None:
    _, (goal, _) = plan_for(world)
    change_goal_status(goal, by=world.alice, status=Status.IN_PROGRESS, on=days_ago(2))
    change_goal_status(goal, by=world.alice, status=Status.ACHIEVED, on=days_ago(1))
    moves = list(
        StatusChange.objects.filter(goal=goal, step=None)
        .order_by("recorded_at")
        .values_list("from_status", "to_status", "changed_on")
    )
    assert moves[1:] == [
        ("not_started", "in_progress", days_ago(2)),
        ("in_progress", "achieved", days_ago(1)),
    ]
    with pytest.raises(ValidationError) as refused:
        change_goal_status(goal, by=world.alice, status=Status.DROPPED, on=days_ago(-1))
    assert "on" in refused.value.message_dict
    goal.refresh_from_db()
    assert goal.status == Status.ACHIEVED


def test_a_step_achieved_gets_its_done_date(world: World) -> None:
    _, (goal, _) = plan_for(world)
    step = goal.steps.get()
    edit_step(
        step, by=world.alice, what=step.what, target_on=None, status="achieved", on=days_ago(1)
    )
    step.refresh_from_db()
    assert (step.status, step.done_on) == ("achieved", days_ago(1))
    assert StatusChange.objects.filter(step=step, to_status="achieved").exists()


def test_peer_mentors_and_administrators_do_not_write_plans(world: World) -> None:
    for who in (world.pat, world.ada):
        with pytest.raises(PermissionDenied):
            save_service_plan(world.rosa_enrolment, by=who, agreed_on=days_ago(0), her_words="x")
    assert not ServicePlan.objects.exists()


def test_a_closed_enrolment_plan_is_not_changed(world: World) -> None:
    plan_for(world, goals=0)
    world.rosa_enrolment.exit("withdrew", by=world.alice, reason="Moved away")
    with pytest.raises(ValidationError):
        save_service_plan(
            world.rosa_enrolment, by=world.alice, agreed_on=days_ago(0), her_words="y"
        )


def test_a_review_moves_goals_sets_the_phase_plan_and_links_the_phase_change(
    world: World,
) -> None:
    _, (first, second) = plan_for(world)
    enrolment = world.rosa_enrolment
    phase = enrolment.program.active_phases()[1]
    event = enrolment.move_to(phase, by=world.alice)
    review = record_review(
        enrolment,
        by=world.alice,
        reviewed_on=days_ago(0),
        decided="Housing first",
        statuses={first: Status.IN_PROGRESS, second: Status.NOT_STARTED},
        focus_areas=areas(world)[:2],
    )
    assert review.prompted_by == event
    assert review.phase == phase
    assert list(review.goals_changed.all()) == [first]
    assert PhasePlan.objects.get(phase=phase).focus_areas.count() == 2
    first.refresh_from_db()
    assert first.status == Status.IN_PROGRESS


def test_a_refused_review_saves_nothing(world: World) -> None:
    _, (goal, _) = plan_for(world)
    with pytest.raises(ValidationError) as refused:
        record_review(
            world.rosa_enrolment,
            by=world.alice,
            reviewed_on=days_ago(0),
            decided="",
            statuses={goal: Status.ACHIEVED},
            focus_areas=areas(world)[:4],
        )
    assert set(refused.value.message_dict) == {"decided", "focus_areas"}
    goal.refresh_from_db()
    assert goal.status == Status.NOT_STARTED
    assert not PlanReview.objects.exists()
    assert not PhasePlan.objects.exists()


def test_a_review_refuses_another_participants_goal(world: World) -> None:
    from doorway.enrolments.models import Enrolment

    tess = Enrolment.objects.get(participant=world.tess)
    _, (other_goal,) = plan_for(world, enrolment=tess, goals=1)
    with pytest.raises(ValidationError) as refused:
        record_review(
            world.rosa_enrolment,
            by=world.alice,
            reviewed_on=days_ago(0),
            decided="x",
            statuses={other_goal: Status.DROPPED},
        )
    assert "statuses" in refused.value.message_dict
    other_goal.refresh_from_db()
    assert other_goal.status == Status.NOT_STARTED

"""Each phase change asks for a plan review: the rule the caseload runs."""

from __future__ import annotations

import datetime
from uuid import UUID

import pytest
import time_machine
from django.utils import timezone

from doorway.conftest import World
from doorway.enrolments.due import DueKind
from doorway.enrolments.models import Enrolment
from doorway.plans.actions import record_review, save_service_plan
from doorway.plans.due import plan_reviews_due
from doorway.testing.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())


def loaded(*pks: UUID) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(pk__in=pks).select_related("current_phase", "cycle__program")
    )


def agree_plan(world: World, enrolment: Enrolment, on: datetime.date) -> None:
    save_service_plan(enrolment, by=world.alice, agreed_on=on, her_words="A place of my own")


def test_no_review_is_due_in_her_first_phase(world: World) -> None:
    assert list(plan_reviews_due(loaded(world.rosa_enrolment.pk))) == []


def test_no_review_is_due_before_a_plan_exists_or_for_a_plan_agreed_in_her_phase(
    world: World,
) -> None:
    enrolment = world.rosa_enrolment
    enrolment.move_to(enrolment.program.active_phases()[1], by=world.alice)
    # Intake is where the plan is agreed: there is nothing to review yet.
    assert list(plan_reviews_due(loaded(enrolment.pk))) == []
    agree_plan(world, enrolment, timezone.localdate())
    assert list(plan_reviews_due(loaded(enrolment.pk))) == []


def test_a_review_is_due_from_the_phase_change_until_one_is_recorded(world: World) -> None:
    enrolment = world.rosa_enrolment
    start = timezone.localdate()
    agree_plan(world, enrolment, start - datetime.timedelta(days=1))
    with time_machine.travel(noon(start), tick=False):
        enrolment.move_to(enrolment.program.active_phases()[1], by=world.alice)
        (due,) = plan_reviews_due(loaded(enrolment.pk))
        assert (due.kind, due.due_on, due.enrolment_id) == (
            DueKind.PHASE_REVIEW,
            start,
            enrolment.pk,
        )
        assert "Intake" in due.label
    with time_machine.travel(noon(start + datetime.timedelta(days=5)), tick=False):
        # Still due five days on; a review dated on the day of the change settles it.
        assert len(list(plan_reviews_due(loaded(enrolment.pk)))) == 1
        record_review(enrolment, by=world.alice, reviewed_on=start, decided="Done")
        assert list(plan_reviews_due(loaded(enrolment.pk))) == []
        # The next phase change asks again.
        enrolment.decide_eligibility("eligible", by=world.alice, reason="Two risk factors")
        enrolment.move_to(enrolment.program.active_phases()[2], by=world.alice)
        (due,) = plan_reviews_due(loaded(enrolment.pk))
        assert due.due_on == start + datetime.timedelta(days=5)


def test_a_review_before_the_phase_change_does_not_count(world: World) -> None:
    enrolment = world.rosa_enrolment
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    agree_plan(world, enrolment, yesterday)
    record_review(enrolment, by=world.alice, reviewed_on=yesterday, decided="Early")
    enrolment.move_to(enrolment.program.active_phases()[1], by=world.alice)
    assert len(list(plan_reviews_due(loaded(enrolment.pk)))) == 1


def test_a_closed_enrolment_is_not_due_a_review(world: World) -> None:
    enrolment = world.rosa_enrolment
    enrolment.move_to(enrolment.program.active_phases()[1], by=world.alice)
    enrolment.exit("withdrew", by=world.alice, reason="Moved")
    assert list(plan_reviews_due(loaded(enrolment.pk))) == []


@pytest.mark.parametrize("count", [2, 20])
def test_the_rule_costs_two_queries_for_any_number_of_enrolments(
    world: World, count: int, django_assert_num_queries
) -> None:
    phase = world.program.active_phases()[1]
    cycle = world.rosa_enrolment.cycle
    made = [
        EnrolmentFactory(cycle=cycle, case_manager=world.alice, current_phase=phase)
        for _ in range(count)
    ]
    for enrolment in made:
        # Agreed on the day of her referral; she entered her phase the day after.
        agree_plan(world, enrolment, enrolment.referred_on)
        Enrolment.objects.filter(pk=enrolment.pk).update(
            phase_started_on=enrolment.referred_on + datetime.timedelta(days=1)
        )
    enrolments = loaded(*[e.pk for e in made])
    with django_assert_num_queries(2):
        dues = list(plan_reviews_due(enrolments))
    assert len(dues) == count

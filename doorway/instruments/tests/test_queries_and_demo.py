"""What other parts ask: follow-ups done, journey ratings over time; and the demo."""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone

from doorway.instruments import exit_doors_here
from doorway.instruments.actions import record_administration
from doorway.instruments.demo import add_demo_assessments, record_journey
from doorway.instruments.models import Administration, Instrument
from doorway.instruments.queries import follow_ups_done, ratings_over_time
from doorway.instruments.tests.helpers import eligibility

pytestmark = pytest.mark.django_db


def test_install_is_idempotent(world) -> None:
    exit_doors_here.install(world.program)
    exit_doors_here.install(world.program)
    assert Instrument.objects.filter(program=world.program).count() == 4
    assert all(i.versions.count() == 1 for i in Instrument.objects.all())


def test_follow_ups_done_names_enrolments_with_a_follow_up(
    world, django_assert_num_queries
) -> None:
    exit_doors_here.install(world.program)
    follow_up = Instrument.objects.get(slug=exit_doors_here.FOLLOW_UP).current_version()
    assert follow_up is not None
    record_administration(
        world.rosa_enrolment,
        follow_up,
        by=world.alice,
        timepoint="follow_up",
        completed_on=timezone.localdate(),
        answers={
            "sex_work_involvement": "not_at_all",
            "housing": "own_place",
            "connected_to_supports": "no",
        },
    )
    tess = world.tess.enrolments.get()
    with django_assert_num_queries(1):
        assert follow_ups_done([world.rosa_enrolment.pk, tess.pk]) == {world.rosa_enrolment.pk}


def test_ratings_over_time_by_focus_area(world) -> None:
    today = timezone.localdate()
    earlier = today - datetime.timedelta(days=20)
    record_journey(world.rosa_enrolment, {"accommodation": 2, "money": 3}, on=earlier)
    record_journey(world.rosa_enrolment, {"accommodation": 5}, on=today, timepoint="phase_change")
    area = world.program.focus_areas.get(slug="accommodation")
    money = world.program.focus_areas.get(slug="money")
    ratings = ratings_over_time(world.rosa_enrolment)
    assert ratings[area.pk] == [(earlier, 2), (today, 5)]
    assert ratings[money.pk] == [(earlier, 3)]


def test_the_demo_gives_each_enrolment_an_intake_and_ratings_once(world) -> None:
    enrolments = [world.rosa_enrolment, world.tess.enrolments.get()]
    add_demo_assessments(random.Random(3), enrolments)
    add_demo_assessments(random.Random(3), enrolments)
    assert Administration.objects.count() == 4
    intake = Administration.objects.filter(version__instrument__slug="intake-assessment")
    assert all(eligibility(a)["met"] for a in intake)

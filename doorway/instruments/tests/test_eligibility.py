"""The Exit Doors Here eligibility rule: computed with its reasons, each condition able
to fail on its own; her age from her date of birth when known, else the age item."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from doorway.instruments.tests.helpers import eligibility, record_intake

pytestmark = pytest.mark.django_db


def reasons(administration) -> dict[str, bool | None]:
    result = eligibility(administration)
    return {r["text"]: r["met"] for r in result["reasons"]}


def test_she_is_eligible_when_every_condition_is_met(world) -> None:
    administration = record_intake(world)
    result = eligibility(administration)
    assert result["met"] is True
    assert all(reasons(administration).values())
    assert administration.scores["risk_factor_count"] == 3.0


@pytest.mark.parametrize(
    ("changes", "failing"),
    [
        ({"identifies_as_woman": "no"}, "She identifies as a woman"),
        ({"wants_to_leave": "no"}, "She wants to leave sex work"),
        ({"risk_factors": ["housing"]}, "At least two of the seven risk factors"),
        ({"risk_factors": None}, "At least two of the seven risk factors"),
    ],
)
def test_each_condition_failing_makes_her_not_eligible_and_says_why(
    world, changes, failing
) -> None:
    administration = record_intake(world, **changes)
    assert eligibility(administration)["met"] is False
    found = reasons(administration)
    assert found[failing] is False
    assert [text for text, met in found.items() if met is False] == [failing]


def test_under_the_minimum_age_by_her_date_of_birth_she_is_not_eligible(world) -> None:
    participant = world.rosa
    participant.date_of_birth = timezone.localdate() - datetime.timedelta(days=365 * 15)
    participant.save()
    administration = record_intake(world, age=30)  # the item is ignored: her birth date is known
    assert reasons(administration)["She is at least the program's minimum age"] is False
    assert eligibility(administration)["met"] is False


def test_without_a_date_of_birth_the_age_item_decides(world) -> None:
    world.rosa.date_of_birth = None
    world.rosa.save()
    assert eligibility(record_intake(world, age=15))["met"] is False
    assert eligibility(record_intake(world, age=25))["met"] is True
    unknown = record_intake(world)
    assert eligibility(unknown)["met"] is None
    assert reasons(unknown)["She is at least the program's minimum age"] is None

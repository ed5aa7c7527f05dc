"""Small builders for the instrument tests."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from doorway.instruments import exit_doors_here
from doorway.instruments.actions import create_instrument, record_administration
from doorway.instruments.models import Administration, Instrument

DAY = datetime.timedelta(days=1)


def intake(world: Any) -> Instrument:
    exit_doors_here.install(world.program)
    return Instrument.objects.get(program=world.program, slug=exit_doors_here.INTAKE)


def eligible_answers(**changes: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "identifies_as_woman": "yes",
        "wants_to_leave": "yes",
        "presenting_issues": ["housing", "safety"],
        "risk_factors": ["housing", "abuser", "employment"],
        "sex_work_involvement": "often",
        "readiness_stage": "preparation",
    }
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def record_intake(world: Any, **changes: Any) -> Administration:
    instrument = intake(world)
    version = instrument.current_version()
    assert version is not None
    return record_administration(
        world.rosa_enrolment,
        version,
        by=world.alice,
        timepoint="intake",
        completed_on=timezone.localdate(),
        answers=eligible_answers(**changes),
    )


def make_instrument(world: Any, definition: dict[str, Any], slug: str = "test") -> Instrument:
    return create_instrument(
        world.program, by=world.morgan, slug=slug, name=slug.title(), definition=definition
    )


def eligibility(administration: Administration) -> dict[str, Any]:
    """The eligibility rule's result on an intake, which every intake has."""
    result = administration.rule("eligibility")
    assert result is not None, "the intake has no eligibility result"
    return result

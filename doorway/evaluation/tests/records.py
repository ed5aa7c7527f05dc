"""Small builders for the evaluation's tests: women with or without research consent,
and their ratings and involvement answers, recorded through the ordinary actions."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from doorway.enrolments.models import Enrolment
from doorway.instruments import exit_doors_here
from doorway.instruments.actions import record_administration
from doorway.instruments.demo import record_journey
from doorway.instruments.models import Administration, Instrument, Timepoint
from doorway.people.models import ConsentKind
from doorway.programs.models import Cycle
from doorway.testing.factories import ConsentFactory, EnrolmentFactory, ParticipantFactory


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def woman(world: Any, cycle: Cycle, *, research: str = "yes", **kw: object) -> Enrolment:
    """An enrolment of a new woman in the cycle, Alice's. `research`: "yes" (consent in
    force), "no" (never given) or "withdrawn" (given, then withdrawn yesterday)."""
    alice = world.alice
    person = ParticipantFactory(agency=cycle.program.agency, registered_by=alice)
    ConsentFactory(participant=person, recorded_by=alice)
    if research != "no":
        ConsentFactory(
            participant=person,
            kind=ConsentKind.EVALUATION,
            recorded_by=alice,
            given_on=days_ago(40),
            withdrawn_on=days_ago(1) if research == "withdrawn" else None,
        )
    kw.setdefault("referred_on", days_ago(35))
    return EnrolmentFactory(participant=person, cycle=cycle, case_manager=alice, **kw)


def rate(
    enrolment: Enrolment, ratings: Mapping[str, int], *, ago: int, timepoint: str
) -> Administration:
    return record_journey(enrolment, ratings, on=days_ago(ago), timepoint=timepoint)


def involvement(
    enrolment: Enrolment, code: str, *, ago: int, timepoint: Timepoint
) -> Administration:
    """Her sex-work involvement, in the instrument the timepoint uses."""
    program = enrolment.cycle.program
    exit_doors_here.install(program)
    slug = {
        Timepoint.INTAKE: exit_doors_here.INTAKE,
        Timepoint.GRADUATION: exit_doors_here.GRADUATION,
        Timepoint.FOLLOW_UP: exit_doors_here.FOLLOW_UP,
    }[timepoint]
    answers: dict[str, object] = {"sex_work_involvement": code}
    if timepoint == Timepoint.INTAKE:
        answers |= {
            "identifies_as_woman": "yes",
            "wants_to_leave": "yes",
            "risk_factors": [c for c, _ in exit_doors_here.RISK_FACTORS[:2]],
            "presenting_issues": [exit_doors_here.PRESENTING_ISSUES[0][0]],
            "readiness_stage": "preparation",
        }
    if timepoint == Timepoint.FOLLOW_UP:
        answers |= {"housing": "own_place", "connected_to_supports": "no"}
    version = Instrument.objects.get(program=program, slug=slug).current_version()
    assert version is not None
    return record_administration(
        enrolment,
        version,
        by=enrolment.case_manager,
        timepoint=timepoint,
        completed_on=days_ago(ago),
        answers=answers,
    )

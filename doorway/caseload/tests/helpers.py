"""Shared helpers for the caseload tests."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from doorway.programs.models import Phase
from doorway.testing.factories import ConsentFactory, EnrolmentFactory, ParticipantFactory

TORONTO = ZoneInfo("America/Toronto")
# A Monday; every clock in these tests is moved relative to it.
D0 = datetime.date(2025, 3, 3)


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=TORONTO)


def phases(world) -> list[Phase]:
    """Pre-phase (as needed), phase 1 (weekly), 2 (fortnightly), 3 (monthly)."""
    return list(world.program.active_phases())


def enrol(world, *, phase: Phase, started_on: datetime.date, case_manager=None, **kw):
    case_manager = case_manager or world.alice
    person = ParticipantFactory(agency=world.agency, registered_by=case_manager)
    ConsentFactory(participant=person, recorded_by=case_manager)
    return EnrolmentFactory(
        participant=person,
        cycle=world.rosa_enrolment.cycle,
        case_manager=case_manager,
        current_phase=phase,
        referred_on=started_on - datetime.timedelta(days=30),
        phase_started_on=started_on,
        **kw,
    )

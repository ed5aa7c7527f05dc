"""Fixtures of the fidelity review's tests: the evaluation's own, and a few women whose
journeys the computed fidelity covers."""

from __future__ import annotations

import pytest

from doorway.conftest import World
from doorway.enrolments.models import Enrolment, ExitReason
from doorway.evaluation.tests.conftest import any_cohort_size  # noqa: F401 - a fixture
from doorway.evaluation.tests.worlds import Plan, build


@pytest.fixture
def women(world: World) -> list[Enrolment]:
    """Six women in the population (research consent, reached phase 1), journeys
    that keep or break different items, and one without research consent."""
    plans = [
        Plan("EDH-REV001"),
        Plan("EDH-REV002", phase_days=(90, 90, 120)),
        Plan("EDH-REV003", contacts=()),
        Plan("EDH-REV004", referral=None),
        Plan("EDH-REV005", phase_days=(60,), exit_reason=ExitReason.WITHDREW),
        Plan("EDH-REV006", focus_areas={1: 2}),
    ]
    found = [build(world, plan) for plan in plans]
    build(world, Plan("EDH-NOCONS", consents_to_evaluation=False))
    return found

"""Demo assessments, recorded through the ordinary actions: an intake assessment and
baseline journey-scale ratings for each demo enrolment, deterministic for a given
`random.Random`. The lead's `doorway/demo.py` calls `add_demo_assessments`;
`record_journey` lets it set exact ratings where the evaluation's figures need them."""

from __future__ import annotations

import datetime
import random
from collections.abc import Mapping, Sequence

from django.utils import timezone

from doorway.enrolments.models import Enrolment
from doorway.instruments import exit_doors_here
from doorway.instruments.actions import record_administration
from doorway.instruments.models import Administration, Instrument, InstrumentVersion, Timepoint
from doorway.people.models import User


def _instrument(enrolment: Enrolment, slug: str) -> Instrument:
    exit_doors_here.install(enrolment.cycle.program)
    return Instrument.objects.get(program=enrolment.cycle.program_id, slug=slug)


def _version(instrument: Instrument) -> InstrumentVersion:
    version = instrument.current_version()
    assert version is not None
    return version


def record_intake(
    enrolment: Enrolment,
    rng: random.Random,
    *,
    on: datetime.date,
    by: User | None = None,
    involvement: str | None = None,
) -> Administration:
    risk_codes = [code for code, _label in exit_doors_here.RISK_FACTORS]
    issue_codes = [code for code, _label in exit_doors_here.PRESENTING_ISSUES if code != "other"]
    answers = {
        "identifies_as_woman": "yes",
        "wants_to_leave": "yes",
        "presenting_issues": rng.sample(issue_codes, rng.randint(1, 4)),
        "risk_factors": rng.sample(risk_codes, rng.randint(2, 5)),
        "sex_work_involvement": involvement
        or rng.choice(["rarely", "sometimes", "often", "often", "always"]),
        "readiness_stage": rng.choice(["contemplation", "preparation", "action"]),
    }
    return record_administration(
        enrolment,
        _version(_instrument(enrolment, exit_doors_here.INTAKE)),
        by=by or enrolment.case_manager,
        timepoint=Timepoint.INTAKE,
        completed_on=on,
        answers=answers,
    )


def record_journey(
    enrolment: Enrolment,
    ratings: Mapping[str, int],
    *,
    on: datetime.date,
    timepoint: str = Timepoint.INTAKE,
    by: User | None = None,
) -> Administration:
    """Journey-scale ratings by focus-area slug (1-10)."""
    return record_administration(
        enrolment,
        _version(_instrument(enrolment, exit_doors_here.JOURNEY)),
        by=by or enrolment.case_manager,
        timepoint=timepoint,
        completed_on=on,
        answers=dict(ratings),
    )


def add_demo_assessments(
    rng: random.Random, enrolments: Sequence[Enrolment], *, days_after_referral: int = 7
) -> list[Administration]:
    """An intake assessment and baseline journey ratings for each enrolment that has
    none, dated a week after her referral (or today, if that is later)."""
    done = []
    today = timezone.localdate()
    for enrolment in enrolments:
        if enrolment.administrations.exists():
            continue
        on = min(enrolment.referred_on + datetime.timedelta(days=days_after_referral), today)
        done.append(record_intake(enrolment, rng, on=on))
        areas = enrolment.cycle.program.active_focus_areas().values_list("slug", flat=True)
        done.append(record_journey(enrolment, {slug: rng.randint(1, 5) for slug in areas}, on=on))
    return done

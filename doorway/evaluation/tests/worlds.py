"""Small hand-built worlds for the process and fidelity tests: women whose journeys are
recorded through the ordinary actions, with knobs to break one fidelity item at a time.

Dates are counted from `START`, some 300 days ago, so that every record is in the past.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from doorway.casework.actions import record_contact
from doorway.conftest import World
from doorway.enrolments.models import Eligibility, Enrolment, ExitReason
from doorway.people.models import ConsentKind, User
from doorway.plans.actions import set_phase_plan
from doorway.plans.models import PhasePlan
from doorway.programs.models import KeyIngredient, PartnerAgency
from doorway.referrals.actions import make_referral, update_referral
from doorway.testing.factories import (
    ConsentFactory,
    EnrolmentFactory,
    ParticipantFactory,
    PartnerFactory,
)

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=320)
SUPPORTS = "connecting-with-community-supports"

# (CTI phase 1-3, day in that phase, kind, tagged "connecting with community supports")
GOOD_CONTACTS: tuple[tuple[int, int, str, bool], ...] = (
    (1, 1, "outreach_visit", False),
    (1, 5, "accompaniment", False),
    (1, 15, "outreach_visit", False),
    (1, 25, "accompaniment", False),
    (1, 35, "counselling", False),
    (2, 5, "counselling", False),
    (2, 25, "phone_text", False),
    (2, 45, "counselling", False),
    (3, 15, "counselling", False),
    (3, 45, "phone_text", False),
)


@dataclass
class Plan:
    """How one woman's journey goes. The defaults pass every fidelity item."""

    code: str
    phase_days: Sequence[int] = (90, 90, 85)  # days in phases 1, 2, 3 (fewer = not reached)
    exit_reason: str = ExitReason.GRADUATED  # "" keeps her enrolled
    contacts: Sequence[tuple[int, int, str, bool]] = GOOD_CONTACTS
    focus_areas: dict[int, int] = field(default_factory=lambda: {1: 2, 2: 2, 3: 2})
    referral: tuple[int, int] | None = (1, 10)  # (phase, day) the referral was made
    referral_news: tuple[int, int] | None = (2, 15)  # (phase, day) of news from the partner
    consents_to_evaluation: bool = True
    referred_before: int = 5  # days from referral to phase 1


def partner(world: World) -> PartnerAgency:
    found = PartnerAgency.objects.filter(agency=world.agency, name="Harbour Housing").first()
    return found or PartnerFactory(
        agency=world.agency, name="Harbour Housing", services=["housing"]
    )


def build(world: World, plan: Plan, *, case_manager: User | None = None) -> Enrolment:
    by = case_manager or world.alice
    program = world.program
    person = ParticipantFactory(code=plan.code, agency=world.agency, registered_by=by)
    ConsentFactory(participant=person, recorded_by=by, given_on=START - datetime.timedelta(days=10))
    if plan.consents_to_evaluation:
        ConsentFactory(
            participant=person,
            kind=ConsentKind.EVALUATION,
            recorded_by=by,
            given_on=START - datetime.timedelta(days=10),
        )
    enrolment = EnrolmentFactory(
        participant=person,
        cycle=program.cycles.get(),
        case_manager=by,
        referred_on=START - datetime.timedelta(days=plan.referred_before),
    )
    phases = list(program.active_phases())[1:]
    starts: list[datetime.date] = []
    day = START
    for index, days in enumerate(plan.phase_days):
        starts.append(day)
        if index == 1:
            enrolment.decide_eligibility(
                Eligibility.ELIGIBLE, by=by, reason="Meets the criteria", on=starts[0]
            )
        enrolment.move_to(phases[index], by=by, on=day)
        day += datetime.timedelta(days=days)

    def on(phase: int, offset: int) -> datetime.date:
        return starts[phase - 1] + datetime.timedelta(days=offset)

    areas = list(program.active_focus_areas())
    for phase_no, n in plan.focus_areas.items():
        if phase_no > len(starts):
            continue
        chosen = (areas * 2)[:n]
        if n <= 3:
            set_phase_plan(
                enrolment,
                by=by,
                phase=phases[phase_no - 1],
                focus_areas=chosen,
                agreed_on=on(phase_no, 2),
            )
        else:  # more than the action allows: written as an old record might be
            phase_plan = PhasePlan.objects.create(
                enrolment=enrolment,
                phase=phases[phase_no - 1],
                agreed_on=on(phase_no, 2),
                recorded_by=by,
            )
            phase_plan.focus_areas.set(chosen)
    supports = KeyIngredient.objects.get_or_create(
        program=program, slug=SUPPORTS, defaults={"name": "Connecting with community supports"}
    )[0]
    for phase_no, offset, kind, tagged in plan.contacts:
        if phase_no > len(starts):
            continue
        contact = record_contact(
            enrolment,
            by=by,
            happened_on=on(phase_no, offset),
            duration_minutes=30,
            kind=kind,
            note="Met as planned.",
        )
        if tagged:
            contact.ingredients.add(supports)
    if plan.referral is not None and plan.referral[0] <= len(starts):
        referral = make_referral(
            enrolment,
            by=by,
            partner=partner(world),
            service_kind="housing",
            shares_information=False,
            made_on=on(*plan.referral),
        )
        if plan.referral_news is not None and plan.referral_news[0] <= len(starts):
            update_referral(referral, by=by, status="accepted", dated_on=on(*plan.referral_news))
    if plan.exit_reason:
        enrolment.exit(plan.exit_reason, by=by, reason="Recorded for the test", on=day)
    enrolment.refresh_from_db()
    return enrolment

"""A woman with one of every kind of record, for her copy's tests: Rosa of the shared
world, her plan, a contact, an intake assessment, a referral with news, a drop-in she
shared with Tess, a safety flag, a consent to share with its scope, a disclosure, and a
request for her copy."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from doorway.casework.actions import record_contact
from doorway.casework.models import ContactKind
from doorway.conftest import World
from doorway.disclosures.log import record_disclosure
from doorway.disclosures.models import Channel
from doorway.dropins.actions import mark_attendance, start_session
from doorway.enrolments.models import Enrolment
from doorway.instruments.tests.helpers import record_intake
from doorway.people.actions import add_safety_flag
from doorway.people.models import ConsentKind, SharingScope
from doorway.plans.actions import add_goal, add_step, save_service_plan
from doorway.programs.models import FocusArea
from doorway.referrals.actions import make_referral, update_referral
from doorway.subject_access.models import SubjectAccessRequest
from doorway.testing.factories import ConsentFactory, PartnerFactory


@dataclass
class Seeded:
    world: World
    request: SubjectAccessRequest
    extras: dict[str, Any]


@pytest.fixture
def seeded(world: World) -> Seeded:
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    rosa = world.rosa_enrolment
    area = FocusArea.objects.filter(program=world.program).order_by("order").first()
    assert area is not None
    save_service_plan(
        rosa,
        by=world.alice,
        agreed_on=max(rosa.referred_on, today - 7 * day),
        her_words="A flat of my own near my sister",
        private_notes="She is wary of shelters",
    )
    goal = add_goal(rosa, by=world.alice, focus_area=area, her_words="Find a safe place")
    add_step(goal, by=world.alice, what="Visit the co-op on Queen St")
    record_contact(
        rosa,
        by=world.alice,
        happened_on=today - day,
        duration_minutes=45,
        kind=ContactKind.PHONE_OR_TEXT,
        focus_areas=[area],
        note="Talked about the co-op; she feels hopeful",
    )
    record_intake(world)
    partner = PartnerFactory(agency=world.agency, name="Safe Harbour Housing", services=["housing"])
    ConsentFactory(
        participant=world.rosa,
        recorded_by=world.alice,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=partner,
        scope=[SharingScope.CONTACT_DETAILS, SharingScope.PLAN],
        ends_on=today + 300 * day,
    )
    referral = make_referral(
        rosa,
        by=world.alice,
        partner=partner,
        service_kind="housing",
        shares_information=True,
        made_on=today - 3 * day,
    )
    update_referral(
        referral, by=world.alice, status="accepted", dated_on=today - day, note="Intake set"
    )
    # A drop-in she shared with Tess (Amira's participant): Tess is never in Rosa's copy.
    session = start_session(world.program, by=world.alice, kind="drop_in", held_on=today - 2 * day)
    mark_attendance(session, rosa, by=world.alice)
    mark_attendance(session, Enrolment.objects.get(participant=world.tess), by=world.amira)
    add_safety_flag(
        world.rosa, kind="someone_looking", note="Her ex asked at the desk", by=world.alice
    )
    record_disclosure(
        world.rosa,
        channel=Channel.REFERRAL,
        what=[SharingScope.CONTACT_DETAILS, SharingScope.PLAN],
        by=world.alice,
        partner=partner,
        source=referral,
    )
    request = SubjectAccessRequest.objects.create(
        participant=world.rosa, received_on=today - 2 * day, recorded_by=world.alice
    )
    return Seeded(world=world, request=request, extras={"partner": partner, "goal": goal})

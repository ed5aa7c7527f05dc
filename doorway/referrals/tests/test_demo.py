"""The demo's referrals go through the actions and share only with consent."""

from __future__ import annotations

import random

import pytest

from doorway.conftest import World
from doorway.people.models import ConsentKind
from doorway.referrals.demo import add_referrals
from doorway.testing.factories import ConsentFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def test_demo_referrals_share_only_where_she_consents(world: World) -> None:
    PartnerFactory(agency=world.agency, name="Harbour Housing Help", services=["housing"])
    consented = PartnerFactory(agency=world.agency, name="Open Clinic", services=[])
    ConsentFactory(
        participant=world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=consented,
        recorded_by=world.alice,
    )
    enrolments = list(world.rosa_enrolment.cycle.enrolments.all())
    referrals = add_referrals(random.Random(3), enrolments, share=1.0)
    assert referrals
    for referral in referrals:
        if referral.shares_information:
            assert referral.partner == consented
            assert referral.enrolment.participant == world.rosa
        assert referral.updates.count() >= 1

"""A consent to share that lapses stops the referral path from that day, as a withdrawn
one does (test_referral_actions.py::test_withdrawing_consent_stops_later_sharing): no new
sharing referral, no step that keeps the partner working with her information; winding
the referral up stays possible."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from doorway.conftest import World
from doorway.people.actions import give_consent, withdraw_consent
from doorway.people.models import Consent, ConsentKind, SharingScope
from doorway.referrals.actions import make_referral, update_referral
from doorway.referrals.models import Referral, ReferralStatus
from doorway.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
S = ReferralStatus


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


@pytest.fixture
def partner(world: World):
    return PartnerFactory(agency=world.agency, name="Safe Harbour Housing", services=["housing"])


def refer(world: World, partner, made_on: datetime.date) -> Referral:
    return make_referral(
        world.rosa_enrolment,
        by=world.alice,
        partner=partner,
        service_kind="housing",
        shares_information=True,
        made_on=made_on,
    )


def lapse(consent: Consent, on: datetime.date) -> None:
    """As if it had been given with this end date: the day has come."""
    Consent.objects.filter(pk=consent.pk).update(ends_on=on)


@pytest.mark.parametrize("stops", ["lapses", "is withdrawn"])
def test_a_consent_that_stops_stops_the_referral_path(world: World, partner, stops: str) -> None:
    consent = give_consent(
        world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=partner,
        scope=[SharingScope.CONTACT_DETAILS],
        given_on=days_ago(30),
        by=world.alice,
    )
    referral = refer(world, partner, made_on=days_ago(10))
    update_referral(referral, by=world.alice, status=S.ACCEPTED, dated_on=days_ago(5))
    if stops == "lapses":
        lapse(consent, days_ago(1))
    else:
        withdraw_consent(consent, on=days_ago(1), by=world.alice)
    assert not world.rosa.may_share_with(partner)
    with pytest.raises(ValidationError) as refusal:
        update_referral(referral, by=world.alice, status=S.FIRST_APPOINTMENT, dated_on=today())
    assert "no consent to share" in refusal.value.message_dict["status"][0]
    with pytest.raises(ValidationError) as refusal:
        refer(world, partner, made_on=today())
    assert "shares_information" in refusal.value.message_dict
    assert Referral.objects.count() == 1
    update_referral(referral, by=world.alice, status=S.CLOSED, dated_on=today())


def test_the_day_before_it_lapses_it_still_covers_the_referral(world: World, partner) -> None:
    consent = give_consent(
        world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=partner,
        scope=[SharingScope.PLAN],
        given_on=days_ago(30),
        ends_on=today() + datetime.timedelta(days=1),
        by=world.alice,
    )
    assert refer(world, partner, made_on=today()).shares_information
    lapse(consent, today())
    with pytest.raises(ValidationError):
        refer(world, partner, made_on=today())


def test_a_consent_letting_nothing_leave_covers_no_sharing_referral(world: World, partner) -> None:
    consent = give_consent(
        world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=partner,
        scope=[SharingScope.PLAN],
        given_on=days_ago(30),
        by=world.alice,
    )
    # A consent from before scopes, emptied: nothing may leave under it.
    Consent.objects.filter(pk=consent.pk).update(scope=[])
    with pytest.raises(ValidationError):
        refer(world, partner, made_on=today())


def test_consent_to_any_partner_of_a_kind_covers_the_referral_until_it_lapses(
    world: World, partner
) -> None:
    consent = give_consent(
        world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner_kind="housing",
        scope=[SharingScope.CONTACT_DETAILS],
        given_on=days_ago(30),
        by=world.alice,
    )
    assert refer(world, partner, made_on=days_ago(2)).shares_information
    lapse(consent, days_ago(1))
    with pytest.raises(ValidationError):
        refer(world, partner, made_on=today())

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from doorway.conftest import World
from doorway.people.actions import give_consent, withdraw_consent
from doorway.people.models import Consent, ConsentKind, Participant
from doorway.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
today = timezone.localdate


def test_sharing_with_a_partner_needs_her_consent_for_that_partner(world: World) -> None:
    shelter = PartnerFactory(agency=world.agency, name="Shelter")
    clinic = PartnerFactory(agency=world.agency, name="Clinic")
    assert not world.rosa.may_share_with(shelter)
    give_consent(
        world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=shelter,
        given_on=today(),
        by=world.alice,
    )
    assert world.rosa.may_share_with(shelter)
    assert not world.rosa.may_share_with(clinic)


def test_a_withdrawal_stops_sharing_from_its_date_on(world: World) -> None:
    shelter = PartnerFactory(agency=world.agency)
    consent = give_consent(
        world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=shelter,
        given_on=today() - datetime.timedelta(days=10),
        by=world.alice,
    )
    withdraw_consent(consent, on=today(), by=world.alice)
    assert not world.rosa.may_share_with(shelter)
    assert world.rosa.may_share_with(shelter, on=today() - datetime.timedelta(days=1))


def test_withdrawing_research_consent_takes_her_out_of_the_evaluation(world: World) -> None:
    consent = give_consent(
        world.rosa,
        kind=ConsentKind.EVALUATION,
        given_on=today() - datetime.timedelta(days=5),
        by=world.alice,
    )
    assert world.rosa in Participant.objects.consented_to(ConsentKind.EVALUATION)
    withdraw_consent(consent, on=today(), by=world.alice)
    assert world.rosa not in Participant.objects.consented_to(ConsentKind.EVALUATION)


def test_bad_consents_are_refused_and_nothing_is_saved(world: World) -> None:
    other_partner = PartnerFactory(agency=world.other_agency)
    before = Consent.objects.count()
    cases: list[dict[str, Any]] = [
        {"kind": ConsentKind.INFORMATION_SHARING, "partner": None},
        {"kind": ConsentKind.INFORMATION_SHARING, "partner": other_partner},
        {"kind": ConsentKind.EVALUATION, "partner": other_partner},
        {"kind": "everything", "partner": None},
        {
            "kind": ConsentKind.EVALUATION,
            "partner": None,
            "given_on": today() + datetime.timedelta(days=1),
        },
        {"kind": ConsentKind.SERVICE, "partner": None},  # already in force
    ]
    for case in cases:
        with pytest.raises(ValidationError):
            give_consent(world.rosa, by=world.alice, **{"given_on": today(), **case})
    assert Consent.objects.count() == before


def test_a_withdrawal_cannot_precede_the_consent_or_happen_twice(world: World) -> None:
    consent = Consent.objects.get(participant=world.rosa, kind="service")
    with pytest.raises(ValidationError):
        withdraw_consent(consent, on=consent.given_on - datetime.timedelta(days=1), by=world.alice)
    withdraw_consent(consent, on=today(), by=world.alice)
    with pytest.raises(ValidationError):
        withdraw_consent(consent, on=today(), by=world.alice)

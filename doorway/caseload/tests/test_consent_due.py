"""Her consents to share on her case manager's caseload: a consent lapsing within 30 days
(before it lapses, while there is time to ask her again), and an open referral sharing
her information once no consent covers it (lapsed or withdrawn)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from doorway.caseload.consents import LAPSING_DAYS, consents_lapsing, sharing_without_consent
from doorway.caseload.models import DueItem
from doorway.caseload.refresh import refresh
from doorway.conftest import World
from doorway.enrolments.due import DueKind
from doorway.enrolments.models import Enrolment
from doorway.people.actions import give_consent, withdraw_consent
from doorway.people.models import Consent, ConsentKind, SharingScope
from doorway.referrals.actions import make_referral
from doorway.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def share(world: World, partner, ends_on: datetime.date) -> Consent:
    return give_consent(
        world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=partner,
        scope=[SharingScope.CONTACT_DETAILS],
        given_on=today() - 200 * DAY,
        ends_on=ends_on,
        by=world.alice,
    )


def opened(world: World) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(pk=world.rosa_enrolment.pk).select_related(
            "current_phase", "cycle__program"
        )
    )


def test_a_consent_is_due_30_days_before_it_lapses_and_shows_the_days_left(
    world: World,
) -> None:
    partner = PartnerFactory(agency=world.agency, name="Safe Harbour Housing")
    consent = share(world, partner, ends_on=today() + 10 * DAY)
    (due,) = consents_lapsing(opened(world))
    assert due.kind == DueKind.CONSENT_LAPSING
    assert consent.ends_on is not None
    assert due.due_on == consent.ends_on - LAPSING_DAYS * DAY
    assert due.subject_id == consent.pk
    assert "Safe Harbour Housing" in due.label
    refresh([world.rosa_enrolment.pk])
    item = DueItem.objects.get(enrolment=world.rosa_enrolment, kind=DueKind.CONSENT_LAPSING)
    assert item.badge(today()) == "Consent to share lapses in 10 days"
    assert item.state(today()) == "overdue"


def test_a_renewed_or_withdrawn_consent_is_no_longer_due(world: World) -> None:
    partner = PartnerFactory(agency=world.agency)
    old = share(world, partner, ends_on=today() + 10 * DAY)
    renewed = give_consent(
        world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=partner,
        scope=[SharingScope.CONTACT_DETAILS],
        given_on=today(),
        by=world.alice,
    )
    assert [d.subject_id for d in consents_lapsing(opened(world))] == [renewed.pk]
    assert old.pk != renewed.pk
    withdraw_consent(renewed, on=today(), by=world.alice)
    assert list(consents_lapsing(opened(world))) == []


@pytest.mark.parametrize("stops", ["lapses", "is withdrawn"])
def test_a_sharing_referral_left_without_consent_is_due(world: World, stops: str) -> None:
    partner = PartnerFactory(agency=world.agency, services=["housing"])
    consent = share(world, partner, ends_on=today() + 100 * DAY)
    referral = make_referral(
        world.rosa_enrolment,
        by=world.alice,
        partner=partner,
        service_kind="housing",
        shares_information=True,
        made_on=today() - 20 * DAY,
    )
    assert list(sharing_without_consent(opened(world))) == []
    if stops == "lapses":
        Consent.objects.filter(pk=consent.pk).update(ends_on=today() - 3 * DAY)
    else:
        withdraw_consent(consent, on=today() - 3 * DAY, by=world.alice)
    (due,) = sharing_without_consent(opened(world))
    assert due.kind == DueKind.SHARING_UNCONSENTED
    assert due.subject_id == referral.pk
    assert due.due_on == today() - 3 * DAY


def test_the_rules_take_the_same_queries_for_one_woman_or_many(world: World) -> None:
    partner = PartnerFactory(agency=world.agency, services=["housing"])
    share(world, partner, ends_on=today() + 5 * DAY)
    one = opened(world)
    many = list(Enrolment.objects.select_related("current_phase", "cycle__program").order_by("pk"))
    assert len(many) > 1
    counts = []
    for enrolments in (one, many):
        with CaptureQueriesContext(connection) as queries:
            list(consents_lapsing(enrolments))
            list(sharing_without_consent(enrolments))
        counts.append(len(queries))
    assert counts[0] == counts[1]

"""Making referrals and moving their status: the steps, the dates, her consent."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.people.actions import give_consent, withdraw_consent
from doorway.people.models import ConsentKind
from doorway.referrals.actions import make_referral, update_referral
from doorway.referrals.models import FINAL, STEPS, Referral, ReferralStatus, ReferralUpdate
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


def refer(world: World, partner, **kw: object) -> Referral:
    values: dict[str, Any] = {
        "by": world.alice,
        "partner": partner,
        "service_kind": "housing",
        "shares_information": False,
        "made_on": days_ago(10),
    }
    values.update(kw)
    return make_referral(world.rosa_enrolment, **values)


def share_consent(world: World, partner, given_on: datetime.date | None = None):
    return give_consent(
        world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=partner,
        given_on=given_on or days_ago(20),
        by=world.alice,
    )


def test_a_referral_starts_as_made_with_its_first_dated_step(world: World, partner) -> None:
    referral = refer(world, partner, note="Needs a room before the end of the month")
    assert (referral.status, referral.status_on) == (S.MADE, days_ago(10))
    update = referral.updates.get()
    assert (update.status, update.dated_on) == (S.MADE, days_ago(10))
    entry = AuditEntry.objects.get(action="create", object_id=str(referral.pk))
    assert "note" in entry.detail["fields"]
    assert "room" not in str(entry.detail)


def test_the_note_is_encrypted_at_rest(world: World, partner) -> None:
    refer(world, partner, note="Needs a room near Kingston Road")
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM referrals_referralupdate")
        (stored,) = cursor.fetchone()
    assert stored.startswith("gAAAA")
    assert "Kingston" not in stored


def test_bad_input_is_refused_all_at_once(world: World, partner) -> None:
    other = PartnerFactory(agency=world.other_agency, name="Elsewhere")
    with pytest.raises(ValidationError) as refusal:
        refer(world, other, service_kind="astrology", made_on=today() + datetime.timedelta(days=1))
    assert set(refusal.value.message_dict) == {"service_kind", "partner", "made_on"}
    with pytest.raises(ValidationError) as refusal:
        refer(world, partner, service_kind="legal")
    assert "does not offer legal" in refusal.value.message_dict["partner"][0]
    with pytest.raises(ValidationError) as refusal:
        refer(world, partner, made_on=world.rosa_enrolment.referred_on - datetime.timedelta(days=1))
    assert "made_on" in refusal.value.message_dict
    assert Referral.objects.count() == 0


def test_a_partner_listing_no_services_takes_any_kind(world: World) -> None:
    anything = PartnerFactory(agency=world.agency, name="Drop-in Centre", services=[])
    assert refer(world, anything, service_kind="legal").service_kind == "legal"


@pytest.mark.parametrize("who", ["pat", "ada", "eve"])
def test_only_the_care_team_makes_referrals(world: World, partner, who: str) -> None:
    with pytest.raises(PermissionDenied):
        refer(world, partner, by=world.staff()[who])
    assert Referral.objects.count() == 0


def test_the_status_moves_along_its_steps_each_dated(world: World, partner) -> None:
    referral = refer(world, partner)
    for n, status in enumerate([S.ACCEPTED, S.FIRST_APPOINTMENT, S.SERVICE_RECEIVED, S.CLOSED]):
        update_referral(referral, by=world.alice, status=status, dated_on=days_ago(8 - 2 * n))
    referral.refresh_from_db()
    assert referral.status == S.CLOSED
    assert list(referral.updates.values_list("status", flat=True)) == [
        "made",
        "accepted",
        "first_appointment",
        "service_received",
        "closed",
    ]


def test_an_invalid_move_is_refused_with_a_message(world: World, partner) -> None:
    referral = refer(world, partner)
    with pytest.raises(ValidationError) as refusal:
        update_referral(referral, by=world.alice, status=S.SERVICE_RECEIVED, dated_on=today())
    assert refusal.value.message_dict["status"] == [
        "A referral that is made cannot become service received."
    ]
    update_referral(referral, by=world.alice, status=S.DECLINED, dated_on=today())
    with pytest.raises(ValidationError) as refusal:
        update_referral(referral, by=world.alice, status=S.CLOSED, dated_on=today())
    assert "takes no more updates" in refusal.value.message_dict["status"][0]


def test_an_update_cannot_be_dated_before_the_last_step_or_in_the_future(
    world: World, partner
) -> None:
    referral = refer(world, partner)
    for day in (days_ago(11), today() + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as refusal:
            update_referral(referral, by=world.alice, status=S.ACCEPTED, dated_on=day)
        assert "dated_on" in refusal.value.message_dict
    assert ReferralUpdate.objects.count() == 1


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(list(ReferralStatus)), st.integers(min_value=-3, max_value=3)),
        max_size=6,
    )
)
def test_any_sequence_of_updates_keeps_the_rules(world: World, partner, steps) -> None:
    """Whatever is tried, what is kept is a path of allowed steps with dates that never
    go back nor into the future, ending with the referral's own status."""
    referral = refer(world, partner, made_on=days_ago(6))
    day = days_ago(6)
    for status, shift in steps:
        on = day + datetime.timedelta(days=shift)
        allowed = status in STEPS[referral.status] and day <= on <= today()
        try:
            update_referral(referral, by=world.alice, status=status, dated_on=on)
        except ValidationError:
            assert not allowed
        else:
            assert allowed
            day = on
    kept = list(referral.updates.order_by("dated_on", "recorded_at"))
    for before, after in itertools.pairwise(kept):
        assert after.status in STEPS[before.status]
        assert before.dated_on <= after.dated_on <= today()
    referral.refresh_from_db()
    assert referral.status == kept[-1].status
    assert referral.status_on == kept[-1].dated_on
    assert (referral.status in FINAL) == (not referral.is_open)
    Referral.objects.all().delete()


# --- consent ------------------------------------------------------------------------


def test_a_sharing_referral_is_refused_without_her_consent_for_that_partner(
    world: World, partner
) -> None:
    other = PartnerFactory(agency=world.agency, name="Another Partner", services=["housing"])
    share_consent(world, other)
    with pytest.raises(ValidationError) as refusal:
        refer(world, partner, shares_information=True)
    message = refusal.value.message_dict["shares_information"][0]
    assert "Safe Harbour Housing" in message
    assert "consent" in message
    assert Referral.objects.count() == 0


def test_a_sharing_referral_is_allowed_with_her_consent(world: World, partner) -> None:
    share_consent(world, partner)
    referral = refer(world, partner, shares_information=True)
    assert referral.shares_information


def test_a_consent_given_after_the_referral_date_does_not_cover_it(world: World, partner) -> None:
    share_consent(world, partner, given_on=days_ago(2))
    with pytest.raises(ValidationError):
        refer(world, partner, shares_information=True, made_on=days_ago(5))


def test_a_referral_that_shares_nothing_needs_no_consent(world: World, partner) -> None:
    assert not refer(world, partner).shares_information


def test_withdrawing_consent_stops_later_sharing(world: World, partner) -> None:
    consent = share_consent(world, partner)
    referral = refer(world, partner, shares_information=True)
    update_referral(referral, by=world.alice, status=S.ACCEPTED, dated_on=days_ago(5))
    withdraw_consent(consent, on=days_ago(1), by=world.alice)
    # No new step that keeps the partner working with her information...
    with pytest.raises(ValidationError) as refusal:
        update_referral(referral, by=world.alice, status=S.FIRST_APPOINTMENT, dated_on=today())
    assert "no consent to share" in refusal.value.message_dict["status"][0]
    # ... and no new sharing referral to that partner.
    with pytest.raises(ValidationError):
        refer(world, partner, shares_information=True, made_on=today())
    # Winding it up stays possible.
    update_referral(referral, by=world.alice, status=S.CLOSED, dated_on=today())
    referral.refresh_from_db()
    assert referral.status == S.CLOSED
    assert Referral.objects.count() == 1

"""What a consent to share covers: whom (a named partner or a kind of partner), what
(its scope) and until when (it lapses on its end date)."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from doorway.conftest import World
from doorway.people.models import Consent, ConsentKind, SharingScope
from doorway.programs.models import add_months
from doorway.testing.factories import ConsentFactory, PartnerFactory

DAY = datetime.date(2026, 3, 10)


def sharing(world: World, **fields: object) -> Consent:
    defaults: dict[str, object] = {
        "participant": world.rosa,
        "kind": ConsentKind.INFORMATION_SHARING,
        "given_on": DAY,
        "recorded_by": world.alice,
    }
    return ConsentFactory(**(defaults | fields))


@pytest.mark.django_db
def test_a_consent_lapses_on_its_end_date_and_not_before(world: World) -> None:
    shelter = PartnerFactory(agency=world.agency, services=["housing"])
    sharing(world, partner=shelter, scope=[SharingScope.PLAN], ends_on=DAY.replace(month=4))
    assert world.rosa.may_share_with(shelter, on=datetime.date(2026, 4, 9))
    assert not world.rosa.may_share_with(shelter, on=datetime.date(2026, 4, 10))
    assert not Consent.objects.in_force(datetime.date(2026, 5, 1)).exists()


@pytest.mark.django_db
def test_only_what_the_scope_names_may_leave(world: World) -> None:
    shelter = PartnerFactory(agency=world.agency)
    sharing(world, partner=shelter, scope=[SharingScope.CONTACT_DETAILS])
    assert world.rosa.may_share_with(shelter, on=DAY, scope=SharingScope.CONTACT_DETAILS)
    assert not world.rosa.may_share_with(shelter, on=DAY, scope=SharingScope.ASSESSMENT)


@pytest.mark.django_db
def test_a_kind_of_partner_covers_partners_offering_that_service_only(world: World) -> None:
    housing = PartnerFactory(agency=world.agency, services=["housing", "legal"])
    clinic = PartnerFactory(agency=world.agency, services=["health"])
    sharing(world, partner_kind="housing", scope=[SharingScope.PLAN])
    assert world.rosa.may_share_with(housing, on=DAY)
    assert not world.rosa.may_share_with(clinic, on=DAY)


@pytest.mark.django_db
def test_a_consent_naming_the_partner_comes_before_one_for_its_kind(world: World) -> None:
    housing = PartnerFactory(agency=world.agency, services=["housing"])
    sharing(world, partner_kind="housing", scope=list(SharingScope.values))
    named = sharing(world, partner=housing, scope=[SharingScope.PLAN])
    assert world.rosa.sharing_consent(housing, on=DAY) == named
    assert not world.rosa.may_share_with(housing, on=DAY, scope=SharingScope.ASSESSMENT)


@pytest.mark.django_db
def test_the_database_refuses_a_sharing_consent_to_nobody_or_ending_before_it_starts(
    world: World,
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        sharing(world)
    shelter = PartnerFactory(agency=world.agency)
    with pytest.raises(IntegrityError), transaction.atomic():
        sharing(world, partner=shelter, ends_on=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentFactory(participant=world.rosa, kind=ConsentKind.SERVICE, partner_kind="housing")


@given(
    st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2090, 12, 31)),
    st.integers(min_value=1, max_value=60),
)
def test_months_later_is_the_same_day_or_the_end_of_a_shorter_month(
    day: datetime.date, months: int
) -> None:
    later = add_months(day, months)
    assert (later.year - day.year) * 12 + later.month - day.month == months
    assert later.day == day.day or (
        later.day < day.day and (later + datetime.timedelta(1)).day == 1
    )

"""Recording a consent to share on her terms: whom (a partner or a kind of partner), what
(the scope she ticks) and until when (her program's default, or the day she chooses)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from doorway.conftest import World
from doorway.people.actions import give_consent, withdraw_consent
from doorway.people.models import Consent, ConsentKind, SharingScope
from doorway.programs.models import add_months
from doorway.testing.factories import PartnerFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
SHARING = ConsentKind.INFORMATION_SHARING


def today() -> datetime.date:
    return timezone.localdate()


def share(world: World, **terms: object) -> Consent:
    fields: dict[str, object] = {"kind": SHARING, "given_on": today(), "by": world.alice}
    return give_consent(world.rosa, **(fields | terms))  # type: ignore[arg-type]


def test_without_an_end_it_lasts_her_programs_default(world: World) -> None:
    world.program.consent_months = 6
    world.program.save()
    shelter = PartnerFactory(agency=world.agency)
    consent = share(world, partner=shelter, scope=[SharingScope.PLAN])
    assert consent.ends_on == add_months(today(), 6)
    assert consent.scope == [SharingScope.PLAN]
    assert world.rosa.may_share_with(shelter, scope=SharingScope.PLAN)
    assert not world.rosa.may_share_with(shelter, scope=SharingScope.CONTACT_DETAILS)


def test_code_that_predates_scopes_shares_what_it_always_did(world: World) -> None:
    shelter = PartnerFactory(agency=world.agency)
    consent = share(world, partner=shelter)
    assert set(consent.scope) == set(SharingScope.values)


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"scope": []}, "scope"),
        ({"scope": ["her_diary"]}, "scope"),
        ({"ends_on": "given"}, "ends_on"),
        ({"ends_on": "six years"}, "ends_on"),
        ({"ends_on": "yesterday"}, "ends_on"),
        ({"partner": None}, "partner"),
        ({"partner_kind": "housing"}, "partner_kind"),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_saved(
    world: World, terms: dict[str, object], field: str
) -> None:
    shelter = PartnerFactory(agency=world.agency)
    given = today() - datetime.timedelta(days=3)
    fields: dict[str, object] = {"partner": shelter, "scope": ["plan"], "given_on": given}
    if terms.get("ends_on") == "given":
        terms = {"ends_on": given}
    elif terms.get("ends_on") == "six years":
        terms = {"ends_on": add_months(given, 72)}
    elif terms.get("ends_on") == "yesterday":
        terms = {"ends_on": today() - datetime.timedelta(days=1)}
    before = Consent.objects.count()
    with pytest.raises(ValidationError) as refused:
        share(world, **(fields | terms))
    assert field in refused.value.message_dict
    assert Consent.objects.count() == before


def test_a_consent_recorded_late_keeps_her_programs_default_end_even_if_passed(
    world: World,
) -> None:
    """Her paper form, signed long ago, is recorded as it was: under her program's default
    it has lapsed, and nothing is shared under it."""
    shelter = PartnerFactory(agency=world.agency)
    given = add_months(today(), -14)
    consent = share(world, partner=shelter, scope=["plan"], given_on=given)
    assert consent.ends_on == add_months(given, 12)
    assert not world.rosa.may_share_with(shelter)


def test_other_consents_take_no_scope_nor_end(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        give_consent(
            world.rosa,
            kind=ConsentKind.EVALUATION,
            given_on=today(),
            by=world.alice,
            ends_on=today() + datetime.timedelta(days=30),
        )
    assert "ends_on" in refused.value.message_dict


def test_a_kind_of_partner_covers_each_partner_offering_it(world: World) -> None:
    housing = PartnerFactory(agency=world.agency, services=["housing"])
    clinic = PartnerFactory(agency=world.agency, services=["health"])
    share(world, partner_kind="housing", scope=[SharingScope.CONTACT_DETAILS])
    assert world.rosa.may_share_with(housing)
    assert not world.rosa.may_share_with(clinic)


def test_her_new_consent_replaces_the_one_in_force_narrower_or_wider(world: World) -> None:
    shelter = PartnerFactory(agency=world.agency)
    wide = share(
        world,
        partner=shelter,
        scope=list(SharingScope.values),
        given_on=today() - datetime.timedelta(days=40),
    )
    narrow = share(world, partner=shelter, scope=[SharingScope.CONTACT_DETAILS])
    wide.refresh_from_db()
    assert wide.withdrawn_on == today()
    assert world.rosa.sharing_consent(shelter) == narrow
    assert not world.rosa.may_share_with(shelter, scope=SharingScope.PLAN)
    with pytest.raises(ValidationError, match="already has this consent"):
        share(world, partner=shelter, scope=[SharingScope.CONTACT_DETAILS])


def test_the_form_asks_her_choice_and_saves_nothing_without_it(client, world: World) -> None:
    shelter = PartnerFactory(agency=world.agency, name="Safe Housing Co-op")
    signed_in(client, world.alice)
    url = reverse("consent_give", args=[world.rosa.pk])
    form = client.get(reverse("participant_detail", args=[world.rosa.pk])).content.decode()
    # Nothing ticked for her, and the default end is said.
    assert 'name="scope" value="plan"' in form
    assert 'value="plan" checked' not in form
    assert "Left empty, it lasts her program" in form
    posted = {"kind": SHARING, "partner": str(shelter.pk), "given_on": today().isoformat()}
    refused = client.post(url, posted, headers=HTMX).content.decode()
    assert 'id="consent_scope-errors"' in refused
    assert not world.rosa.consents.filter(kind=SHARING).exists()
    too_long = add_months(today(), 61).isoformat()
    refused = client.post(
        url, {**posted, "scope": ["plan"], "ends_on": too_long}, headers=HTMX
    ).content.decode()
    assert 'id="consent_ends_on-errors"' in refused
    assert not world.rosa.consents.filter(kind=SHARING).exists()
    chosen = (today() + datetime.timedelta(days=20)).isoformat()
    page = client.post(
        url, {**posted, "scope": ["plan", "assessment"], "ends_on": chosen}, headers=HTMX
    ).content.decode()
    consent = world.rosa.consents.get(kind=SHARING)
    assert consent.ends_on is not None
    assert consent.ends_on.isoformat() == chosen
    assert set(consent.scope) == {"plan", "assessment"}
    assert "Lapses in 20 days" in page
    assert "Service plan and goals" in page


def test_her_page_says_a_consent_lapsed_or_was_withdrawn(client, world: World) -> None:
    shelter = PartnerFactory(agency=world.agency)
    clinic = PartnerFactory(agency=world.agency)
    lapsed = share(
        world,
        partner=shelter,
        scope=["plan"],
        given_on=today() - datetime.timedelta(days=100),
        ends_on=today() + datetime.timedelta(days=1),
    )
    Consent.objects.filter(pk=lapsed.pk).update(ends_on=today())
    withdrawn = share(world, partner=clinic, scope=["plan"])
    withdraw_consent(withdrawn, on=today(), by=world.alice)
    signed_in(client, world.alice)
    page = client.get(reverse("participant_detail", args=[world.rosa.pk])).content.decode()
    assert "Lapsed</span>" in page
    assert "Withdrawn</span>" in page

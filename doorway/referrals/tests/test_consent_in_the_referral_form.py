"""Her consent to share, recorded from inside the referral form without leaving it:
what was typed into the referral stays as it was."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.people.models import ConsentKind
from doorway.referrals.models import Referral
from doorway.testing.factories import PartnerFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

NOTE = "She would like a ground-floor room; call her safe contact first."


def typed(world: World, partner) -> dict[str, object]:
    return {
        "service_kind": "housing",
        "partner": partner.pk,
        "shares_information": "on",
        "made_on": timezone.localdate().isoformat(),
        "note": NOTE,
    }


def consent(partner) -> dict[str, object]:
    return {
        "record_consent": "1",
        "consent-partner": partner.pk,
        "consent-scope": ["contact_details", "plan"],
        "consent-given_on": timezone.localdate().isoformat(),
    }


@pytest.fixture
def housing(world: World):
    return PartnerFactory(agency=world.agency, name="Safe Harbour Housing", services=["housing"])


def url(world: World) -> str:
    return reverse("referral_make", args=[world.rosa_enrolment.pk])


def test_a_refused_referral_opens_the_consent_fields_and_keeps_the_note(
    client, world: World, housing
) -> None:
    signed_in(client, world.alice)
    page = client.post(url(world), typed(world, housing)).content.decode()
    assert "She has no consent to share her information with Safe Harbour Housing" in page
    assert '<details class="mb-3 border rounded p-2" open id="sharing-consent">' in page
    assert NOTE in page
    assert not Referral.objects.filter(partner=housing).exists()


def test_consent_recorded_with_htmx_answers_the_consent_block_only(
    client, world: World, housing
) -> None:
    signed_in(client, world.alice)
    answer = client.post(
        url(world), {**typed(world, housing), **consent(housing)}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 200
    text = answer.content.decode()
    assert text.lstrip().startswith('<div id="referral-consent">')
    assert "Her consent to share was recorded." in text
    # Still ticked, and the help text now names the partner as in force.
    assert "In force today: Safe Harbour Housing." in text
    assert re.search(r'<input type="checkbox" name="shares_information"[^>]* checked', text)
    assert world.rosa.may_share_with(housing, on=timezone.localdate())
    assert AuditEntry.objects.filter(action=Action.CREATE, object_type="people.Consent").exists()
    # Only the consent: the referral is made by its own button.
    assert not Referral.objects.filter(partner=housing).exists()


def test_without_javascript_the_form_comes_back_as_typed_then_the_referral_is_made(
    client, world: World, housing
) -> None:
    signed_in(client, world.alice)
    page = client.post(url(world), {**typed(world, housing), **consent(housing)})
    assert page.status_code == 200
    text = page.content.decode()
    assert NOTE in text
    assert "Her consent to share was recorded." in text
    # Not judged yet: no error on the referral's own fields.
    assert "is-invalid" not in text
    made = client.post(url(world), typed(world, housing))
    assert made.status_code == 302
    referral = Referral.objects.get(partner=housing)
    assert referral.shares_information


def test_a_consent_with_a_partner_missing_is_refused_and_nothing_is_lost(
    client, world: World, housing
) -> None:
    signed_in(client, world.alice)
    data = {**typed(world, housing), **consent(housing), "consent-partner": ""}
    text = client.post(url(world), data, HTTP_HX_REQUEST="true").content.decode()
    assert "Name the partner agency she agrees to share with." in text
    assert not world.rosa.consents.filter(kind=ConsentKind.INFORMATION_SHARING).exists()


def test_a_peer_mentor_cannot_record_consent_here(client, world: World, housing) -> None:
    signed_in(client, world.pat)
    answer = client.post(url(world), {**typed(world, housing), **consent(housing)})
    assert answer.status_code == 403
    assert not world.rosa.consents.filter(kind=ConsentKind.INFORMATION_SHARING).exists()

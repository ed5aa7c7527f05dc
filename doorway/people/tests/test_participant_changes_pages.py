"""Changing her record from her pages: identity, safety flags, consents."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.people.actions import add_safety_flag
from doorway.people.models import ConsentKind, FlagKind, Participant
from doorway.testing.factories import PartnerFactory
from doorway.testing.forms import post_form
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def identity(world: World, **overrides: str) -> dict[str, str]:
    data = {
        "preferred_name": "Rosie",
        "legal_name": "Rosa Example",
        "aliases": "Ro",
        "date_of_birth": "1990-05-17",
        "phone": "416-555-0111",
        "email": "rosa@example.org",
        "safe_contact": "Call the shelter desk first.",
        "preferred_language": "fr-ca",
    }
    data.update(overrides)
    return data


def test_her_case_manager_edits_her_details(client, world: World) -> None:
    signed_in(client, world.alice)
    url = reverse("participant_edit", args=[world.rosa.pk])
    assert 'value="Rosa Example"' in client.get(url).content.decode()
    response = post_form(client, url, identity(world))
    assert response.status_code == 302
    world.rosa.refresh_from_db()
    assert world.rosa.preferred_name == "Rosie"
    assert world.rosa.phone == "416-555-0111"
    assert world.rosa.preferred_language == "fr-ca"
    assert list(Participant.objects.with_name("Ro")) == [world.rosa]
    change = AuditEntry.objects.filter(action=Action.CHANGE).get()
    assert set(change.detail["fields"]) == {
        "preferred_name",
        "aliases",
        "phone",
        "email",
        "safe_contact",
        "preferred_language",
    }
    assert "rosie" not in change.canonical().decode().lower()


def test_an_invalid_edit_keeps_what_was_typed_and_saves_nothing(client, world: World) -> None:
    signed_in(client, world.alice)
    url = reverse("participant_edit", args=[world.rosa.pk])
    response = client.post(url, identity(world, preferred_name="", email="not-an-email"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page
    assert "Enter a valid email address." in page
    assert 'value="416-555-0111"' in page
    world.rosa.refresh_from_db()
    assert world.rosa.preferred_name == "Rosa"
    assert world.rosa.phone == "416-555-0100"


def test_a_peer_mentor_cannot_edit_her_details(client, world: World) -> None:
    signed_in(client, world.pat)
    url = reverse("participant_edit", args=[world.rosa.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, identity(world)).status_code == 403
    world.rosa.refresh_from_db()
    assert world.rosa.preferred_name == "Rosa"


def test_a_safety_flag_is_added_in_place_with_htmx(client, world: World) -> None:
    signed_in(client, world.alice)
    url = reverse("safety_flag_add", args=[world.rosa.pk])
    response = client.post(
        url, {"kind": FlagKind.NO_TEXTS, "note": "Phone is shared"}, headers=HTMX
    )
    page = response.content.decode()
    assert page.startswith('<div id="flags-section">')
    assert "No text messages" in page
    assert "Phone is shared" in page
    assert world.rosa.active_flags().get().kind == FlagKind.NO_TEXTS


def test_a_safety_flag_without_htmx_returns_to_her_page(client, world: World) -> None:
    signed_in(client, world.alice)
    url = reverse("safety_flag_add", args=[world.rosa.pk])
    response = client.post(url, {"kind": FlagKind.NO_MAIL})
    assert response.status_code == 302
    assert response["Location"] == reverse("participant_detail", args=[world.rosa.pk])


def test_an_other_flag_needs_a_note_shown_next_to_the_field(client, world: World) -> None:
    signed_in(client, world.alice)
    url = reverse("safety_flag_add", args=[world.rosa.pk])
    page = client.post(url, {"kind": FlagKind.OTHER, "note": ""}, headers=HTMX).content.decode()
    assert 'id="flag_note-errors"' in page
    assert "Say what the flag is about." in page
    assert not world.rosa.safety_flags.exists()


def test_a_safety_flag_is_removed(client, world: World) -> None:
    flag = add_safety_flag(world.rosa, kind=FlagKind.NO_VOICEMAIL, note="", by=world.alice)
    signed_in(client, world.amira)
    url = reverse("safety_flag_remove", args=[world.rosa.pk, flag.pk])
    page = client.post(url, headers=HTMX).content.decode()
    assert "No safety flags." in page
    flag.refresh_from_db()
    assert flag.removed_by == world.amira


def test_a_flag_of_another_participant_cannot_be_removed_through_hers(client, world) -> None:
    flag = add_safety_flag(world.uma, kind=FlagKind.NO_VOICEMAIL, note="", by=world.bianca)
    signed_in(client, world.alice)
    url = reverse("safety_flag_remove", args=[world.rosa.pk, flag.pk])
    assert client.post(url).status_code == 404
    flag.refresh_from_db()
    assert flag.removed_at is None


def test_a_peer_mentor_cannot_add_or_remove_flags(client, world: World) -> None:
    flag = add_safety_flag(world.rosa, kind=FlagKind.NO_VOICEMAIL, note="", by=world.alice)
    signed_in(client, world.pat)
    add = reverse("safety_flag_add", args=[world.rosa.pk])
    remove = reverse("safety_flag_remove", args=[world.rosa.pk, flag.pk])
    assert client.post(add, {"kind": FlagKind.NO_MAIL}).status_code == 403
    assert client.post(remove).status_code == 403
    assert list(world.rosa.active_flags()) == [flag]


def test_a_consent_to_share_with_a_partner_is_recorded(client, world: World) -> None:
    partner = PartnerFactory(agency=world.agency, name="Safe Housing Co-op")
    PartnerFactory(agency=world.other_agency, name="Elsewhere Services")
    signed_in(client, world.alice)
    page = client.get(reverse("participant_detail", args=[world.rosa.pk])).content.decode()
    assert "Safe Housing Co-op" in page
    assert "Elsewhere Services" not in page
    response = client.post(
        reverse("consent_give", args=[world.rosa.pk]),
        {
            "kind": ConsentKind.INFORMATION_SHARING,
            "partner": str(partner.pk),
            "scope": ["contact_details", "plan"],
            "given_on": timezone.localdate().isoformat(),
        },
        headers=HTMX,
    )
    assert response.content.decode().startswith('<div id="consents-section">')
    assert world.rosa.may_share_with(partner, scope="plan")
    assert not world.rosa.may_share_with(partner, scope="assessment")


def test_information_sharing_without_a_partner_is_refused_next_to_the_field(client, world):
    signed_in(client, world.alice)
    response = client.post(
        reverse("consent_give", args=[world.rosa.pk]),
        {"kind": ConsentKind.INFORMATION_SHARING, "given_on": timezone.localdate().isoformat()},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="consent_partner-errors"' in page
    assert world.rosa.consents.count() == 1


def test_a_consent_already_in_force_is_refused(client, world: World) -> None:
    signed_in(client, world.alice)
    response = client.post(
        reverse("consent_give", args=[world.rosa.pk]),
        {"kind": ConsentKind.SERVICE, "given_on": timezone.localdate().isoformat()},
        headers=HTMX,
    )
    assert "She already has this consent in force." in response.content.decode()
    assert world.rosa.consents.count() == 1


def test_a_consent_is_withdrawn_in_place(client, world: World) -> None:
    consent = world.rosa.consents.get()
    signed_in(client, world.alice)
    today = timezone.localdate()
    response = client.post(
        reverse("consent_withdraw", args=[world.rosa.pk, consent.pk]),
        {f"w-{consent.pk}-on": today.isoformat(), f"w-{consent.pk}-note": "Said so by phone"},
        headers=HTMX,
    )
    assert "Withdrawn" in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_on == today
    assert not world.rosa.has_consent(ConsentKind.SERVICE, on=today)


def test_a_withdrawal_dated_before_the_consent_is_refused(client, world: World) -> None:
    consent = world.rosa.consents.get()
    signed_in(client, world.alice)
    early = consent.given_on - datetime.timedelta(days=1)
    response = client.post(
        reverse("consent_withdraw", args=[world.rosa.pk, consent.pk]),
        {f"w-{consent.pk}-on": early.isoformat()},
    )
    page = response.content.decode()
    assert "A withdrawal cannot be dated before the consent." in page
    assert f'value="{early.isoformat()}"' in page
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_a_peer_mentor_cannot_touch_consents(client, world: World) -> None:
    consent = world.rosa.consents.get()
    signed_in(client, world.pat)
    give = reverse("consent_give", args=[world.rosa.pk])
    withdraw = reverse("consent_withdraw", args=[world.rosa.pk, consent.pk])
    today = timezone.localdate().isoformat()
    assert client.post(give, {"kind": "evaluation", "given_on": today}).status_code == 403
    assert client.post(withdraw, {f"w-{consent.pk}-on": today}).status_code == 403
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    assert world.rosa.consents.count() == 1

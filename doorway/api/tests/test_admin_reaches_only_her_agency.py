"""The token and authenticator admin pages reach only the administrator's own agency's
accounts (the capability rule's `staff_for`): another agency's tokens cannot be seen or
revoked there, nor its staff's second factors removed, and an administrator of no
agency reaches none."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from doorway.api.models import AccessToken
from doorway.api.tokens import issue_token
from doorway.conftest import World
from doorway.people.roles import Role
from doorway.testing.factories import UserFactory
from doorway.testing.signin import give_totp, signed_in

pytestmark = pytest.mark.django_db

TOKENS = "/admin/api/accesstoken/"
AUTHENTICATORS = "/admin/mfa/authenticator/"


@pytest.fixture
def oscars_token(world: World) -> AccessToken:
    give_totp(world.oscar)
    token, _secret = issue_token(world.oscar, name="Oscar's laptop", scope="write", days=30)
    return token


@pytest.fixture
def adminless(world: World):
    """An administrator with no agency, with the admin flags Ada has."""
    return UserFactory(
        username="nora", role=Role.ADMINISTRATOR, agency=None, is_staff=True, is_superuser=True
    )


def test_an_administrator_does_not_see_another_agencys_tokens(
    world: World, client: Client, oscars_token: AccessToken
) -> None:
    give_totp(world.alice)
    alices, _secret = issue_token(world.alice, name="Alice's laptop", scope="read", days=30)
    page = signed_in(client, world.ada).get(TOKENS).content.decode()
    assert alices.prefix in page
    assert oscars_token.prefix not in page
    assert client.get(f"{TOKENS}{oscars_token.pk}/change/").status_code in (302, 404)


def test_an_administrator_cannot_revoke_another_agencys_token(
    world: World, client: Client, oscars_token: AccessToken
) -> None:
    signed_in(client, world.ada)
    client.post(TOKENS, {"action": "revoke", "_selected_action": [str(oscars_token.pk)]})
    oscars_token.refresh_from_db()
    assert oscars_token.revoked_at is None


def test_an_administrator_does_not_see_or_remove_another_agencys_authenticators(
    world: World, client: Client, oscars_token: AccessToken
) -> None:
    (oscars,) = Authenticator.objects.filter(user=world.oscar, type=Authenticator.Type.TOTP)
    signed_in(client, world.ada)
    assert "oscar" not in client.get(AUTHENTICATORS).content.decode()
    client.post(f"{AUTHENTICATORS}{oscars.pk}/delete/", {"post": "yes"})
    client.post(AUTHENTICATORS, {"action": "delete_selected", "_selected_action": [oscars.pk]})
    client.post(
        AUTHENTICATORS,
        {"action": "delete_selected", "_selected_action": [oscars.pk], "post": "yes"},
    )
    assert Authenticator.objects.filter(pk=oscars.pk).exists()
    oscars_token.refresh_from_db()
    assert oscars_token.revoked_at is None


def test_an_administrator_of_no_agency_reaches_no_tokens_and_no_authenticators(
    world: World, client: Client, adminless, oscars_token: AccessToken
) -> None:
    signed_in(client, adminless)
    token_page = client.get(TOKENS)
    authenticator_page = client.get(AUTHENTICATORS)
    assert (token_page.status_code, authenticator_page.status_code) == (200, 200)
    assert oscars_token.prefix not in token_page.content.decode()
    assert "oscar" not in authenticator_page.content.decode()

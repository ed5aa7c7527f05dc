"""A token is one more way in, so it needs what signing in needs: an enrolled second
factor. No token is made for an account without one (page or command), and a token whose
owner no longer has one is refused, even if it was somehow left unrevoked."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from doorway.api.models import AccessToken
from doorway.api.tokens import issue_token
from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.people.models import User
from doorway.testing.signin import give_totp, sign_in_client, signed_in

IDENTITIES = "/api/v1/participants/"


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_the_command_refuses_a_write_token_to_an_account_without_a_second_factor(
    world: World,
) -> None:
    assert not Authenticator.objects.filter(user=world.alice).exists()
    out = StringIO()
    with pytest.raises(CommandError, match="second factor"):
        call_command(
            "token",
            *["create", "--user", "alice", "--scope", "write", "--expires", "30"],
            stdout=out,
            stderr=StringIO(),
        )
    assert out.getvalue() == ""
    assert not AccessToken.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.CREATE).exists()


def test_the_page_refuses_a_token_to_an_account_without_a_second_factor(
    world: World, client: Client, settings: object
) -> None:
    # Only a demo account (under the demo setting) reaches the page without one.
    world.alice.is_demo_account = True
    world.alice.save()
    with override_settings(DEMO=True):
        client.force_login(world.alice, backend="django.contrib.auth.backends.ModelBackend")
        page = client.get(reverse("token_list"))
        assert "Set up your authenticator app" in page.content.decode()
        response = client.post(
            reverse("token_list"), {"name": "Script", "scope": "write", "expires": "30"}
        )
    assert response.status_code == 400
    assert "second factor" in response.content.decode()
    assert "dw_" not in response.content.decode()
    assert not AccessToken.objects.exists()


def test_a_token_whose_owner_lost_her_second_factor_reads_nothing(world: World) -> None:
    give_totp(world.alice)
    _, secret = issue_token(world.alice, name="Script", scope="write", days=30)
    assert bearer(secret).get(IDENTITIES).status_code == 200
    # Removed behind every path's back (a raw delete): the token still must not work.
    Authenticator.objects.filter(user=world.alice).delete()
    response = bearer(secret).get(IDENTITIES)
    assert response.status_code == 401
    assert "second factor" in response.json()["detail"]


def test_removing_her_authenticator_in_the_admin_revokes_her_tokens(
    world: World, client: Client
) -> None:
    give_totp(world.alice)
    token, secret = issue_token(world.alice, name="Laptop", scope="write", days=30)
    totp = Authenticator.objects.get(user=world.alice, type=Authenticator.Type.TOTP)
    signed_in(client, world.ada)
    response = client.post(
        f"/admin/mfa/authenticator/{totp.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=world.alice).exists()
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.get(action=Action.CHANGE, object_id=str(token.pk))
    assert entry.actor_id == str(world.ada.pk)
    assert entry.detail["because"] == "second factor removed"
    # Setting up a new authenticator does not bring the old token back.
    give_totp(world.alice)
    assert bearer(secret).get(IDENTITIES).status_code == 401


def test_removing_authenticators_in_bulk_in_the_admin_revokes_their_tokens(
    world: World, client: Client
) -> None:
    for user in (world.alice, world.amira):
        give_totp(user)
        issue_token(user, name="Laptop", scope="read", days=30)
    signed_in(client, world.ada)
    chosen = Authenticator.objects.filter(
        user__in=[world.alice, world.amira], type=Authenticator.Type.TOTP
    )
    client.post(
        "/admin/mfa/authenticator/",
        {
            "action": "delete_selected",
            "_selected_action": [str(pk) for pk in chosen.values_list("pk", flat=True)],
            "post": "yes",
        },
    )
    assert not Authenticator.objects.filter(user__in=[world.alice, world.amira]).exists()
    assert not AccessToken.objects.filter(
        owner__in=[world.alice, world.amira], revoked_at__isnull=True
    ).exists()


def _fresh_session(client: Client, user: User) -> Client:
    # Through the real sign-in: her own second-factor pages then do not ask for the
    # password again.
    response = sign_in_client(client, user)
    assert response.status_code == 302
    return client


def test_turning_off_her_own_authenticator_revokes_her_tokens(world: World, client: Client) -> None:
    give_totp(world.alice)
    token, secret = issue_token(world.alice, name="Laptop", scope="write", days=30)
    _fresh_session(client, world.alice)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=world.alice).exists()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(secret).get(IDENTITIES).status_code == 401


def test_new_recovery_codes_revoke_her_tokens(world: World, client: Client) -> None:
    give_totp(world.alice)
    token, _ = issue_token(world.alice, name="Laptop", scope="write", days=30)
    _fresh_session(client, world.alice)
    response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


@override_settings(DEMO=False)
def test_a_demo_account_gets_no_token_without_a_second_factor_outside_the_demo(
    world: World,
) -> None:
    world.alice.is_demo_account = True
    world.alice.save()
    with pytest.raises(Exception, match="second factor"):
        issue_token(world.alice, name="Script", scope="read", days=30)
    assert not AccessToken.objects.exists()

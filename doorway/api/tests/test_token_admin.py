"""Administrators see every account's tokens (never the tokens) and revoke them."""

from __future__ import annotations

import pytest
from django.test import Client

from doorway.api.tokens import issue_token
from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.testing.signin import give_totp, signed_in


@pytest.fixture(autouse=True)
def _second_factors(world: World) -> None:
    """Every account here has an authenticator app: no token is made without one."""
    for user in world.staff().values():
        give_totp(user)


CHANGELIST = "/admin/api/accesstoken/"


def test_an_administrator_revokes_a_workers_token(world: World, client: Client) -> None:
    token, secret = issue_token(world.alice, name="Laptop", scope="write", days=30)
    signed_in(client, world.ada)
    page = client.get(CHANGELIST).content.decode()
    assert token.prefix in page
    assert secret not in page
    response = client.post(
        CHANGELIST, {"action": "revoke", "_selected_action": [str(token.pk)]}, follow=True
    )
    assert "Revoked 1 token" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.get(action=Action.CHANGE, object_id=str(token.pk))
    assert entry.actor_id == str(world.ada.pk)


def test_nobody_else_reaches_the_token_list(world: World, client: Client) -> None:
    issue_token(world.alice, name="Laptop", scope="write", days=30)
    signed_in(client, world.morgan)
    assert client.get(CHANGELIST).status_code in (302, 403)

"""`doorway token create|list|revoke`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from doorway.api.models import AccessToken, Scope, digest_of
from doorway.conftest import World
from doorway.testing.signin import give_totp


@pytest.fixture(autouse=True)
def _second_factors(world: World) -> None:
    """Every account here has an authenticator app: no token is made without one."""
    for user in world.staff().values():
        give_totp(user)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_token_once_and_keeps_only_its_digest(world: World) -> None:
    out, err = run("create", "--user", "alice", "--scope", "write", "--expires", "30")
    secret = out.strip()
    token = AccessToken.objects.get(owner=world.alice)
    assert token.digest == digest_of(secret)
    assert token.scope == Scope.WRITE
    assert token.name == "Command line"
    assert token.prefix in err
    assert secret not in err
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/administrations/").status_code == 200
    listed, _ = run("list", "--user", "alice")
    assert token.prefix in listed
    assert secret not in listed


def test_create_takes_a_name_and_ignores_the_usernames_case(world: World) -> None:
    run("create", "--user", "Alice", "--scope", "READ", "--expires", "7", "--name", "Reports")
    token = AccessToken.objects.get(owner=world.alice)
    assert (token.name, token.scope) == ("Reports", Scope.READ)
    assert 6 < (token.expires_at - token.created_at).days <= 7


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody", "--scope", "read", "--expires", "30"], "No staff account"),
        (["--user", "alice", "--scope", "admin", "--expires", "30"], "--scope"),
        (["--user", "alice", "--scope", "read", "--expires", "0"], "--expires"),
        (["--user", "alice", "--scope", "read", "--expires", "ten"], "--expires"),
        (["--user", "alice", "--scope", "read", "--expires", "400"], "between 1 and 366"),
        (["--user", "alice", "--scope", "read", "--expires", "30", "--name", " "], "--name"),
    ],
)
def test_create_refuses_bad_input_in_plain_words_and_makes_nothing(
    world: World, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run("create", *args)
    assert not AccessToken.objects.exists()


def test_create_refuses_a_deactivated_account(world: World) -> None:
    world.alice.is_active = False
    world.alice.save()
    with pytest.raises(CommandError, match="active staff account"):
        run("create", "--user", "alice", "--scope", "read", "--expires", "30")
    assert not AccessToken.objects.exists()


def test_revoke_by_prefix_stops_the_token(world: World) -> None:
    secret = run("create", "--user", "alice", "--scope", "read", "--expires", "30")[0].strip()
    token = AccessToken.objects.get()
    out, _ = run("revoke", token.prefix)
    assert "Revoked" in out
    token.refresh_from_db()
    assert token.revoked_at is not None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/administrations/").status_code == 401
    again, _ = run("revoke", token.prefix)
    assert "already revoked" in again
    listed, _ = run("list", "--user", "alice")
    assert "revoked" in listed


def test_revoke_refuses_an_unknown_prefix(world: World) -> None:
    with pytest.raises(CommandError, match="No token has the prefix"):
        run("revoke", "dw_AAAAAAAA")
    with pytest.raises(CommandError, match="No token has the prefix"):
        run("revoke", "dw_")


def test_list_says_when_there_are_none_and_refuses_an_unknown_user(world: World) -> None:
    out, _ = run("list", "--user", "bianca")
    assert "no tokens" in out
    with pytest.raises(CommandError, match="No staff account"):
        run("list", "--user", "nobody")

"""Someone who has her password guesses her second-factor code. Failed codes count
towards the same lockout as failed passwords, for the account from every address and
for the address whatever the account; once locked, even the right code does not sign in."""

from __future__ import annotations

import datetime

import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, totp_code

LOGIN = reverse("account_login")
AUTHENTICATE = reverse("mfa_authenticate")
HERE = "10.0.0.5"
ELSEWHERE = "10.0.0.6"


def _password(client: Client, username: str, address: str = HERE):
    return client.post(
        LOGIN, {"login": username, "password": DEFAULT_PASSWORD}, REMOTE_ADDR=address
    )


def _code(client: Client, code: str, address: str = HERE):
    return client.post(AUTHENTICATE, {"code": code}, REMOTE_ADDR=address)


def _wrong(secret: str) -> str:
    right = totp_code(secret)
    return "111111" if right != "111111" else "222222"


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_ten_wrong_codes_then_the_right_one_a_minute_later_does_not_sign_in(
    world: World,
) -> None:
    secret = give_totp(world.alice)
    attacker = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert _password(attacker, "alice")["Location"] == AUTHENTICATE
        for _ in range(10):
            _code(attacker, _wrong(secret))
        clock.shift(datetime.timedelta(seconds=62))
        response = _code(attacker, totp_code(secret))
    assert not _signed_in(attacker)
    assert response.status_code != 302
    assert "paused" in response.content.decode()


def test_wrong_codes_lock_the_account_from_every_address(world: World) -> None:
    secret = give_totp(world.alice)
    attacker = Client()
    _password(attacker, "alice")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _code(attacker, _wrong(secret))
    assert AuditEntry.objects.filter(action=Action.LOCKED_OUT).count() == 1
    # The right password, from another address, in a new browser: refused outright.
    elsewhere = Client()
    assert _password(elsewhere, "alice", ELSEWHERE).status_code == 429
    assert not _signed_in(elsewhere)


def test_wrong_codes_lock_the_address_for_every_account(world: World) -> None:
    secret = give_totp(world.alice)
    give_totp(world.amira)
    attacker = Client()
    _password(attacker, "alice")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _code(attacker, _wrong(secret))
    assert _password(Client(), "amira", HERE).status_code == 429


def test_a_code_after_the_lockout_does_not_sign_in_even_in_a_session_that_passed_the_password(
    world: World,
) -> None:
    secret = give_totp(world.alice)
    attacker = Client()
    _password(attacker, "alice")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _code(attacker, _wrong(secret))
    # Another browser passes the password step while the account is not yet locked...
    second = Client()
    assert _password(second, "alice", ELSEWHERE)["Location"] == AUTHENTICATE
    # ...then the last wrong code locks the account...
    _code(attacker, _wrong(secret))
    # ...and the right code, in the session that is past its password, is refused.
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=31), tick=False):
        response = _code(second, totp_code(secret), ELSEWHERE)
    assert not _signed_in(second)
    assert response.status_code != 302


def test_each_wrong_code_is_audited_as_a_failed_sign_in_and_none_holds_the_code(
    world: World,
) -> None:
    secret = give_totp(world.alice)
    attacker = Client()
    _password(attacker, "alice")
    wrong = _wrong(secret)
    for _ in range(3):
        _code(attacker, wrong)
    failed = AuditEntry.objects.filter(action=Action.SIGN_IN_FAILED)
    assert [e.detail["step"] for e in failed] == ["second_factor"] * 3
    assert all(wrong not in str(e.detail) for e in failed)


def test_fewer_wrong_codes_than_the_limit_still_let_her_in(world: World) -> None:
    secret = give_totp(world.alice)
    client = Client()
    _password(client, "alice")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _code(client, _wrong(secret))
    response = _code(client, totp_code(secret))
    assert response.status_code == 302
    assert _signed_in(client)


def test_signing_in_to_his_own_account_between_guesses_does_not_wipe_her_count(
    world: World,
) -> None:
    # He has her password and an account of his own, at the same address.
    secret = give_totp(world.alice)
    his_secret = give_totp(world.amira)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        attacker = Client()
        _password(attacker, "alice")
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            _code(attacker, _wrong(secret))
        own = Client()
        _password(own, "amira")
        assert _code(own, totp_code(his_secret)).status_code == 302
        assert _signed_in(own)
        # Back to her account: the next wrong code is still the last one allowed.
        clock.shift(datetime.timedelta(seconds=31))
        again = Client()
        assert _password(again, "alice")["Location"] == AUTHENTICATE
        _code(again, _wrong(secret))
        clock.shift(datetime.timedelta(seconds=31))
        response = _code(again, totp_code(secret))
    assert not _signed_in(again)
    assert "paused" in response.content.decode()

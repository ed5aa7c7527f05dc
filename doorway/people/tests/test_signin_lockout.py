"""Repeated failed sign-ins lock that account from every address, and that address for
every account; nobody else. (Failed second-factor codes count too: see
test_second_factor_guessing.)"""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.urls import reverse

from doorway.testing.signin import DEFAULT_PASSWORD, give_totp

LOGIN = reverse("account_login")
HERE = "10.0.0.5"
ELSEWHERE = "10.0.0.6"


def _try(client: Client, username: str, password: str, address: str):
    return client.post(LOGIN, {"login": username, "password": password}, REMOTE_ADDR=address)


def _fail_until_locked(client: Client, username: str, address: str = HERE):
    response = None
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _try(client, username, "wrong password", address)
    return response


def _reached_code_step(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")


def test_after_the_limit_even_the_right_password_is_refused_from_that_address(world) -> None:
    give_totp(world.alice)
    attacker = Client()
    last = _fail_until_locked(attacker, "alice")
    assert last.status_code == 429
    response = _try(Client(), "alice", DEFAULT_PASSWORD, HERE)
    assert response.status_code == 429
    assert not _reached_code_step(response)


def test_the_locked_account_is_refused_from_another_address_too(world) -> None:
    give_totp(world.alice)
    _fail_until_locked(Client(), "alice")
    response = _try(Client(), "alice", DEFAULT_PASSWORD, ELSEWHERE)
    assert response.status_code == 429
    assert not _reached_code_step(response)


def test_the_locked_address_is_refused_for_another_account_too(world) -> None:
    give_totp(world.amira)
    _fail_until_locked(Client(), "alice")
    assert _try(Client(), "amira", DEFAULT_PASSWORD, HERE).status_code == 429


def test_another_account_from_another_address_still_signs_in(world) -> None:
    give_totp(world.amira)
    _fail_until_locked(Client(), "alice")
    assert _reached_code_step(_try(Client(), "amira", DEFAULT_PASSWORD, ELSEWHERE))


def test_changing_the_case_of_the_username_does_not_get_more_tries(world) -> None:
    give_totp(world.alice)
    _fail_until_locked(Client(), "alice")
    for spelling in ["Alice", "ALICE", " alice"]:
        response = _try(Client(), spelling, DEFAULT_PASSWORD, HERE)
        assert response.status_code == 429, spelling


def test_failures_below_the_limit_do_not_lock(world) -> None:
    give_totp(world.alice)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _try(Client(), "alice", "wrong password", HERE)
    assert _reached_code_step(_try(Client(), "alice", DEFAULT_PASSWORD, HERE))


def test_the_lockout_page_is_plain_and_says_nothing_about_the_account(world) -> None:
    response = _fail_until_locked(Client(), "alice")
    page = response.content.decode()
    assert "Sign-in paused" in page
    assert "administrator" in page
    assert "alice" not in page.lower()
    assert str(settings.AXES_FAILURE_LIMIT) + " " not in page
    assert 'name="password"' not in page

"""Signing in takes a password and a second factor; without one, she sets it up first."""

from __future__ import annotations

import time_machine
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.urls import reverse

from doorway.people.models import User
from doorway.testing.factories import UserFactory
from doorway.testing.signin import (
    DEFAULT_PASSWORD,
    give_totp,
    recovery_codes,
    sign_in_client,
    signed_in,
    totp_code,
)

HOME = "/"
ACTIVATE = reverse("mfa_activate_totp")
AUTHENTICATE = reverse("mfa_authenticate")
LOGIN = reverse("account_login")


def _password_step(client: Client, username: str, password: str = DEFAULT_PASSWORD):
    return client.post(LOGIN, {"login": username, "password": password})


def test_a_password_alone_does_not_sign_in_an_account_with_a_second_factor(
    client: Client, world
) -> None:
    give_totp(world.alice)
    response = _password_step(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == AUTHENTICATE
    assert "_auth_user_id" not in client.session
    assert client.get(HOME)["Location"].startswith(LOGIN)


def test_the_password_and_the_current_code_sign_in(client: Client, world) -> None:
    secret = give_totp(world.alice)
    _password_step(client, "alice")
    response = client.post(AUTHENTICATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(HOME).status_code == 200


def test_a_wrong_code_does_not_sign_in(client: Client, world) -> None:
    give_totp(world.alice)
    _password_step(client, "alice")
    response = client.post(AUTHENTICATE, {"code": "000000"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_signs_in_once(client: Client, world) -> None:
    give_totp(world.alice)
    code = recovery_codes(world.alice)[0]
    _password_step(client, "alice")
    assert client.post(AUTHENTICATE, {"code": code}).status_code == 302
    client.post(reverse("account_logout"))
    _password_step(client, "alice")
    assert client.post(AUTHENTICATE, {"code": code}).status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_does_not_reach_the_code_step(client: Client, world) -> None:
    give_totp(world.alice)
    response = _password_step(client, "alice", "not her password")
    assert response.status_code == 200
    assert client.get(AUTHENTICATE).status_code == 302


def test_an_account_without_a_second_factor_is_sent_to_set_one_up(client: Client, world) -> None:
    response = _password_step(client, "bianca")
    assert response.status_code == 302
    for path in [
        HOME,
        reverse("mfa_index"),
        reverse("usersessions_list"),
        reverse("account_change_password"),
        "/admin/",
        "/participants/",
    ]:
        answer = client.get(path)
        assert answer.status_code == 302, path
        assert answer["Location"] == ACTIVATE, path


def test_htmx_requests_without_a_second_factor_are_told_to_leave_the_page(
    client: Client, world
) -> None:
    client.force_login(world.bianca)
    response = client.get(HOME, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == ACTIVATE


def test_setting_up_the_second_factor_right_after_signing_in_lets_her_in(
    client: Client, world
) -> None:
    _password_step(client, "bianca")
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=world.bianca).count() == 2
    assert client.get(HOME).status_code == 200


def test_setting_up_the_second_factor_later_asks_for_the_password_again(
    client: Client, world
) -> None:
    with time_machine.travel("2025-03-03 09:00 -0500", tick=False) as traveller:
        _password_step(client, "bianca")
        traveller.shift(60 * 10)
        response = client.get(ACTIVATE)
        assert response.status_code == 302
        reauthenticate = response["Location"]
        assert reauthenticate.startswith(reverse("account_reauthenticate"))
        # The reauthentication page is reachable without a second factor...
        assert client.get(reauthenticate).status_code == 200
        response = client.post(reauthenticate, {"password": DEFAULT_PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == ACTIVATE
        # ...and then the set-up page is.
        page = client.get(ACTIVATE)
        assert page.status_code == 200
        response = client.post(ACTIVATE, {"code": totp_code(page.context["form"].secret)})
        assert response.status_code == 302
        assert client.get(HOME).status_code == 200


def test_a_force_logged_in_session_without_a_second_factor_is_also_sent_to_set_one_up(
    client: Client, world
) -> None:
    client.force_login(world.bianca)
    assert client.get(HOME)["Location"] == ACTIVATE


def test_demo_accounts_skip_the_second_factor_while_the_demo_is_on(
    client: Client, world, settings
) -> None:
    settings.DEMO = True
    demo = UserFactory(username="demo-worker", is_demo_account=True)
    response = _password_step(client, demo.username)
    assert response["Location"] == reverse("home")
    assert client.get(HOME).status_code == 200


def test_demo_accounts_must_set_up_a_second_factor_when_the_demo_is_off(
    client: Client, world, settings
) -> None:
    settings.DEMO = False
    demo = UserFactory(username="demo-worker", is_demo_account=True)
    _password_step(client, demo.username)
    assert client.get(HOME)["Location"] == ACTIVATE


def test_ordinary_accounts_need_a_second_factor_even_in_the_demo(
    client: Client, world, settings
) -> None:
    settings.DEMO = True
    _password_step(client, "bianca")
    assert client.get(HOME)["Location"] == ACTIVATE


def test_nobody_can_sign_up(client: Client, db) -> None:
    before = User.objects.count()
    page = client.get(reverse("account_signup"))
    assert b"administrator" in page.content
    client.post(
        reverse("account_signup"),
        {
            "username": "intruder",
            "password1": "a long enough password 123",
            "password2": "a long enough password 123",
        },
    )
    assert User.objects.count() == before
    assert not User.objects.filter(username="intruder").exists()


def test_password_reset_sends_nothing_and_answers_every_address_alike(
    client: Client, world
) -> None:
    world.alice.email = "alice@example.org"
    world.alice.save()
    known = client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert mail.outbox == []
    page = client.get(reverse("account_reset_password"))
    assert b"administrator" in page.content
    assert b'name="email"' not in page.content


def test_signed_in_helper_satisfies_the_second_factor(client: Client, world) -> None:
    signed_in(client, world.eve)
    assert client.get(HOME).status_code == 200


def test_sign_in_client_goes_through_both_steps(client: Client, world) -> None:
    give_totp(world.morgan)
    response = sign_in_client(client, world.morgan)
    assert response["Location"] == reverse("home")
    assert client.get(HOME).status_code == 200


def test_totp_secrets_are_encrypted_at_rest(world) -> None:
    secret = give_totp(world.alice)
    stored = Authenticator.objects.get(user=world.alice, type=Authenticator.Type.TOTP)
    assert secret not in str(stored.data)
    assert stored.data["secret"].startswith("fernet:")

"""allauth's pages are Doorway pages: our layout, strict security headers, no inline
script or style anywhere (the Content-Security-Policy would block them)."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from typing import cast

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.test import Client
from django.urls import reverse

from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_client, signed_in


class _InlineCode(HTMLParser):
    """Collects whatever the CSP would refuse: inline scripts, style attributes and
    elements, event-handler attributes; and the sources of images."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.images: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        if "style" in names:
            self.problems.append(f"style= on <{tag}>")
        self.problems += [f"{n}= on <{tag}>" for n in names if n.startswith("on")]
        if tag == "img":
            self.images.append(names.get("src") or "")


def _inspect(html: bytes) -> _InlineCode:
    parser = _InlineCode()
    parser.feed(html.decode())
    return parser


def _assert_clean_page(response) -> _InlineCode:
    assert response.status_code in (200, 429), response.status_code
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "script-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    page = _inspect(response.content)
    assert page.problems == []
    html = response.content.decode()
    # Our layout, not allauth's bare one.
    assert 'href="/static/vendor/bootstrap' in html
    assert 'id="main"' in html
    return page


@pytest.mark.parametrize(
    "name",
    ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"],
)
def test_pages_before_sign_in_are_clean(client: Client, db, name: str) -> None:
    _assert_clean_page(client.get(reverse(name)))


def test_the_code_step_is_clean(client: Client, world) -> None:
    give_totp(world.alice)
    client.post(reverse("account_login"), {"login": "alice", "password": DEFAULT_PASSWORD})
    _assert_clean_page(client.get(reverse("mfa_authenticate")))


def test_the_authenticator_set_up_page_is_clean_and_its_qr_code_is_a_data_uri(
    client: Client, world
) -> None:
    client.post(reverse("account_login"), {"login": "bianca", "password": DEFAULT_PASSWORD})
    page = _assert_clean_page(client.get(reverse("mfa_activate_totp")))
    [qr] = page.images
    assert qr.startswith("data:image/svg+xml;base64,")
    assert "data:" in cast("list[str]", settings.SECURE_CSP["img-src"])


def test_the_recovery_codes_page_is_clean_and_shows_the_codes(client: Client, world) -> None:
    sign_in_client(client, world.alice, secret=give_totp(world.alice))
    response = client.get(reverse("mfa_view_recovery_codes"))
    _assert_clean_page(response)
    assert response.context["unused_codes"][0] in response.content.decode()
    # Signed in moments ago: no second password prompt before making new codes.
    _assert_clean_page(client.get(reverse("mfa_generate_recovery_codes")))


@pytest.mark.parametrize(
    "name",
    [
        "mfa_index",
        "usersessions_list",
        "account_change_password",
        "account_logout",
        "account_reauthenticate",
        "mfa_reauthenticate",
    ],
)
def test_her_account_pages_are_clean(client: Client, world, name: str) -> None:
    signed_in(client, world.alice)
    _assert_clean_page(client.get(reverse(name)))


def test_the_lockout_page_is_clean(client: Client, world) -> None:
    response = None
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("account_login"), {"login": "alice", "password": "no"})
    assert response is not None
    assert response.status_code == 429
    _assert_clean_page(response)


def test_her_account_pages_link_to_her_sessions(client: Client, world) -> None:
    signed_in(client, world.alice)
    html = client.get(reverse("mfa_index")).content.decode()
    assert f'href="{reverse("usersessions_list")}"' in html
    assert f'href="{reverse("account_change_password")}"' in html


def test_she_can_see_and_end_her_other_sessions(world) -> None:
    secret = give_totp(world.alice)
    laptop, phone = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    start = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        sign_in_client(laptop, world.alice, secret=secret)
        traveller.shift(60)  # a code is accepted once: wait for the next one
        sign_in_client(phone, world.alice, secret=secret)
        page = laptop.get(reverse("usersessions_list"))
        html = page.content.decode()
        assert "10.0.0.1" in html
        assert "10.0.0.2" in html
        assert page.context["session_count"] == 2
        laptop.post(reverse("usersessions_list"), {"action": "logout"})
        assert UserSession.objects.filter(user=world.alice).count() == 1
        assert phone.get("/")["Location"].startswith(reverse("account_login"))
        assert laptop.get("/").status_code == 200

"""Signing staff in from tests.

Every staff account needs a second factor, so a test that wants a signed-in user has
two ways in:

- `signed_in(client, user)`: cheap, for view tests. Gives her a TOTP authenticator if
  she has none (so `RequireSecondFactorMiddleware` lets her through) and logs the client
  in with `force_login`. No sign-in form, no audit entry for the password step, nothing
  rate-limited::

      def test_alice_sees_her_caseload(client, world):
          signed_in(client, world.alice)
          assert client.get("/").status_code == 200

- `sign_in_client(client, user)`: the real flow (password form, then the code form),
  for tests about signing in itself. allauth rate-limits sign-ins per address (30 a
  minute from the test client's 127.0.0.1), and an authenticator code is accepted once
  per 30-second window: to sign the same user in twice in one test, move the clock on
  (time-machine) between the two.

- `sign_in_browser(page, base_url, username, password, secret)`: the real flow in a
  Playwright page.

Factories give every account the password `DEFAULT_PASSWORD`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from allauth.usersessions.models import UserSession
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

if TYPE_CHECKING:
    # What the test client answers: a response with the request, templates and context
    # attached (django-stubs names it so; Django has no public name for it).
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

    from doorway.people.models import User

DEFAULT_PASSWORD = "correct horse battery"  # noqa: S105 - the factories' test password
# A fixed secret, so a failing test can be replayed with any authenticator app.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def give_totp(user: User, secret: str = TEST_TOTP_SECRET) -> str:
    """Give her an authenticator app (TOTP) and recovery codes, as if she had set them
    up; return the TOTP secret. If she already has one, return its secret."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return str(decrypt(existing.data["secret"]))
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def recovery_codes(user: User) -> list[str]:
    """Her unused recovery codes (she must have been given a TOTP first)."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    codes: list[str] = RecoveryCodes(authenticator).get_unused_codes()
    return codes


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app would show now (or at the Unix time `at`)."""
    from allauth.mfa import app_settings

    moment = time.time() if at is None else at
    return str(format_hotp_value(hotp_value(secret, int(moment) // app_settings.TOTP_PERIOD)))


def signed_in(client: Client, user: User) -> Client:
    """Log the test client in as her, second factor satisfied. Returns the client."""
    give_totp(user)
    client.force_login(user, backend=MODEL_BACKEND)
    # allauth lists the session on the first request it sees; do that now, so the
    # first request a test makes costs the same queries as any later one.
    request = HttpRequest()
    request.session = client.session
    request.user = user
    request.META["REMOTE_ADDR"] = client.defaults.get("REMOTE_ADDR", "127.0.0.1")
    request.META["HTTP_USER_AGENT"] = client.defaults.get("HTTP_USER_AGENT", "")
    UserSession.objects.create_from_request(request)
    return client


def sign_in_client(
    client: Client,
    user: User,
    password: str = DEFAULT_PASSWORD,
    secret: str | None = None,
    **extra: Any,
) -> TestResponse:
    """Sign her in through the real pages: the password form, then (if she has a second
    factor) the code form. `extra` goes to every request (e.g. REMOTE_ADDR="10.0.0.9").
    Returns the last response, which redirects to the home page when all went well."""
    if (
        secret is None
        and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        secret = give_totp(user)
    response = client.post(
        reverse("account_login"),
        {"login": user.get_username(), "password": password},
        **extra,
    )
    if response.status_code != 302:
        raise AssertionError(f"The password step answered {response.status_code}, not 302.")
    if response["Location"] != reverse("mfa_authenticate"):
        return response
    if secret is None:
        raise AssertionError("Sign-in asked for a code but no TOTP secret is known.")
    _not_at_the_end_of_a_window()
    return client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}, **extra)


def _not_at_the_end_of_a_window(margin: float = 1.0) -> None:
    """A code made in the last moment of its 30-second window reaches the server in the
    next one, where it is wrong (no tolerance): on a loaded machine a sign-in then
    failed now and again. Wait (once, at most `margin` seconds) for the next window."""
    from allauth.mfa import app_settings

    remaining = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if remaining < margin:
        time.sleep(remaining)


def sign_in_browser(
    page: Any, base_url: str, username: str, password: str, secret: str | None
) -> None:
    """Fill the sign-in form and the code step in a Playwright page. `secret` may be
    None only for a demo account signing in while the demo setting is on."""
    base_url = base_url.rstrip("/")
    page.goto(base_url + reverse("account_login"))
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if secret is not None and reverse("mfa_authenticate") in page.url:
        page.fill("input[name=code]", totp_code(secret))
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()

"""How staff sign in: the rules allauth and axes are configured with.

- Nobody signs up: an administrator creates every staff account.
- Nobody resets a password by e-mail: staff ask an administrator, who sets a new one.
  (A reset link in someone's mailbox would be one more way into participants' records,
  and a reset form would tell a stranger which addresses have accounts.)
- Every account has a second factor (TOTP, with recovery codes); see
  `needs_second_factor` and `RequireSecondFactorMiddleware`.
- TOTP secrets are encrypted at rest with the same keys as participants' fields.
- A wrong second-factor code counts towards the same lockout (django-axes) as a wrong
  password, and a locked account gets no further with the right code: see
  `LockoutAuthenticateForm`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import ResetPasswordForm
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Exists
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from doorway import encryption
from doorway.audit.log import record
from doorway.audit.models import Action

if TYPE_CHECKING:
    from doorway.people.models import User


class StaffAccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth ships no types
    """Staff accounts are created by an administrator: nobody signs themselves up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """allauth asks for the password again before a change to the second factor
        unless she *re*-authenticated in the last few minutes. Having just signed in
        with her password counts too: otherwise a new account would be asked for the
        password twice in a row on its way to setting up the authenticator app."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        return not signed_in_moments_ago(allauth_context.request)


class NoSelfServicePasswordResetForm(ResetPasswordForm):  # type: ignore[misc]  # allauth ships no types
    """Accepts any address, looks nothing up and sends nothing: the page tells staff to
    ask an administrator. Answering every address the same way reveals no account."""

    def clean_email(self) -> str:
        self.users: list[Any] = []
        return str(self.cleaned_data["email"])

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        return str(self.cleaned_data["email"])


# Marks a value this adapter encrypted, so that a secret stored before encryption was
# turned on still reads back.
ENCRYPTED_PREFIX = "fernet:"


class StaffMFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]  # allauth ships no types
    """TOTP secrets and recovery-code seeds are encrypted with DOORWAY_FIELD_KEYS, so a
    copy of the database alone cannot produce second-factor codes."""

    def encrypt(self, text: str) -> str:
        return ENCRYPTED_PREFIX + encryption.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        if encrypted_text.startswith(ENCRYPTED_PREFIX):
            return encryption.decrypt(encrypted_text.removeprefix(ENCRYPTED_PREFIX))
        return encrypted_text


PAUSED = _(
    "Sign-in is paused: too many attempts did not succeed. Wait a while and try again, "
    "or ask an administrator to let you back in."
)


class LockoutMixin:
    """A code is checked only while the account (and the address) is not locked, and a
    wrong one is a failed sign-in to axes, exactly as a wrong password is: the two count
    towards one lockout, per account and per address (AXES_LOCKOUT_PARAMETERS). Without
    this, someone who has her password could guess codes at allauth's rate limit for as
    long as he liked, and the right code would let him in after any number of misses.

    axes is told directly, not through Django's `user_login_failed` signal, so the
    failure is audited once (by allauth's `authentication_failed`, see `receivers`)."""

    user: User

    def clean_code(self) -> str:
        request = allauth_context.request
        credentials = {"username": self.user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            raise ValidationError(PAUSED, code="locked")
        try:
            return str(super().clean_code())  # type: ignore[misc]  # a mixin for allauth's code forms, which ship no types
        except ValidationError:
            AxesProxyHandler.user_login_failed(
                sender=type(self), credentials=credentials, request=request
            )
            if AxesProxyHandler.is_locked(request, credentials):
                raise ValidationError(PAUSED, code="locked") from None
            raise


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]  # django-axes ships no types
    """axes as configured, except what a successful sign-in clears: the failures of
    that account from that address, and nothing else. axes alone would clear whatever
    matches each lockout parameter on its own, so every failure from that address,
    whatever the account: someone who holds one account could wipe the count on
    another by signing in to his own, from the same address, between guesses."""

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        username = get_client_username(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        if not username or not address:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=address).delete()
        return int(count)


class LockoutAuthenticateForm(LockoutMixin, AuthenticateForm):  # type: ignore[misc]  # allauth ships no types
    """The code step of signing in."""


class LockoutReauthenticateForm(LockoutMixin, ReauthenticateForm):  # type: ignore[misc]  # allauth ships no types
    """The code asked again before a change to her second factor."""


class StaffUserSessionsAdapter(DefaultUserSessionsAdapter):  # type: ignore[misc]  # allauth ships no types
    """Ending sessions from the session list is a sign-out, and audited as one."""

    def end_sessions(self, sessions: Any) -> None:
        sessions = list(sessions)
        super().end_sessions(sessions)
        if sessions:
            record(Action.SIGN_OUT, detail={"sessions_ended": len(sessions)})


def signed_in_moments_ago(request: HttpRequest | None) -> bool:
    """True when this session's sign-in with a password is younger than allauth's
    reauthentication timeout."""
    if request is None or not request.user.is_authenticated:
        return False
    records = get_authentication_records(request, request.user)
    times = [r.get("at", 0) for r in records if r.get("method") == "password"]
    return bool(times) and time.time() - max(times) < account_settings.REAUTHENTICATION_TIMEOUT


# The authenticators that are a second factor. Recovery codes alone are not: allauth
# deletes them with the last authenticator they back up.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def needs_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """True when a signed-in account must set up its second factor before anything
    else. Demo accounts are spared only while the demo setting is on.

    Read from her own row (`User.has_second_factor`, loaded for every signed-in request
    anyway), not from her authenticators: asking them cost every page a query. The row
    follows every save and delete of an authenticator (`sync_second_factor`), so an
    account whose authenticator is removed, by any session, an administrator or the
    command, is sent to set up a new one at its next request."""
    if not user.is_authenticated:
        return False
    if settings.DEMO and getattr(user, "is_demo_account", False):
        return False
    return not getattr(user, "has_second_factor", False)


def sync_second_factor(sender: Any, instance: Authenticator, **kwargs: Any) -> None:
    """After an authenticator is saved or deleted: set her `has_second_factor` from the
    authenticators she has now, in one UPDATE (so it holds whatever was saved or deleted
    beside it, recovery codes included), and on her loaded row too."""
    from doorway.people.models import User

    factors = Authenticator.objects.filter(user_id=instance.user_id, type__in=SECOND_FACTORS)
    User.objects.filter(pk=instance.user_id).update(has_second_factor=Exists(factors))
    loaded = instance._state.fields_cache.get("user")
    if loaded is not None:
        loaded.has_second_factor = factors.exists()


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The username axes counts failures against. Sign-in ignores case ("Alice" signs in
    as alice), so the lock must too, or each spelling would get its own five tries."""
    username = None
    if credentials:
        username = credentials.get("username")
    if username is None:
        data = getattr(request, "POST", None) or {}
        username = data.get("login") or data.get("username")
    if not username:
        return None
    return str(username).strip().casefold()

"""Sign-in events written to the audit log.

Signals are used here, and only here, because these events happen inside Django, allauth
and axes, not in any code of ours that could call `record` itself. Nothing here decides
anything; it only writes down what happened.

What is recorded about a failed sign-in is the username tried when it belongs to an
account, and nothing when it does not: people type their password into the username box
often enough that an unknown "username" must not be kept. A password never is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.mfa import signals as mfa_signals
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from doorway.audit.log import record
from doorway.audit.models import Action

if TYPE_CHECKING:
    from allauth.mfa.models import Authenticator

    from doorway.people.models import User


def connect() -> None:
    user_logged_in.connect(on_signed_in, dispatch_uid="doorway.audit.signed_in")
    user_logged_out.connect(on_signed_out, dispatch_uid="doorway.audit.signed_out")
    user_login_failed.connect(on_sign_in_failed, dispatch_uid="doorway.audit.sign_in_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="doorway.audit.locked_out")
    mfa_signals.authentication_failed.connect(
        on_second_factor_failed, dispatch_uid="doorway.audit.second_factor_failed"
    )
    mfa_signals.authenticator_added.connect(
        on_second_factor_added, dispatch_uid="doorway.audit.second_factor_added"
    )
    mfa_signals.authenticator_removed.connect(
        on_second_factor_removed, dispatch_uid="doorway.audit.second_factor_removed"
    )
    mfa_signals.authenticator_reset.connect(
        on_second_factor_reset, dispatch_uid="doorway.audit.second_factor_reset"
    )


def _account_named(username: str | None) -> Any:
    """The account a typed username signs in as (case does not matter), or None."""
    if not username:
        return None
    User = get_user_model()
    matches = list(User._default_manager.filter(username__iexact=username.strip())[:2])
    return matches[0] if len(matches) == 1 else None


def _tried(account: Any) -> dict[str, Any]:
    if account is None:
        return {"account": "unknown"}
    return {"username": account.get_username()}


def on_signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    from allauth.mfa.utils import is_mfa_enabled

    record(
        Action.SIGN_IN,
        actor=user,
        request=request,
        detail={"second_factor": is_mfa_enabled(user)},
    )


def on_signed_out(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is None:
        return
    record(Action.SIGN_OUT, actor=user, request=request)


def on_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    account = _account_named(credentials.get("username"))
    detail = {"step": "password", **_tried(account)}
    if request is not None and getattr(request, "axes_locked_out", False):
        detail["locked_out"] = True
    record(Action.SIGN_IN_FAILED, request=request, subject=account, detail=detail)


def on_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    account = _account_named(username)
    detail: dict[str, Any] = _tried(account)
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None:
        detail["failures"] = failures
    record(Action.LOCKED_OUT, request=request, subject=account, detail=detail)


def on_second_factor_failed(
    sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    step = "reauthentication" if kwargs.get("reauthentication") else "second_factor"
    record(
        Action.SIGN_IN_FAILED,
        request=request,
        subject=user,
        detail={"step": step, "username": user.get_username()},
    )


def _second_factor_changed(
    request: HttpRequest, user: User, authenticator: Authenticator, what: str
) -> None:
    record(
        Action.CHANGE,
        actor=user,
        request=request,
        subject=user,
        detail={"second_factor": f"{authenticator.type} {what}"},
    )


def on_second_factor_added(
    sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    _second_factor_changed(request, user, authenticator, "added")


def on_second_factor_removed(
    sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    _second_factor_changed(request, user, authenticator, "removed")


def on_second_factor_reset(
    sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    _second_factor_changed(request, user, authenticator, "reset")

"""Making, revoking and checking personal access tokens. The settings page and the
`doorway token` command both call these; each checks its input, writes, and records
the audit entry in one transaction. The audit never holds a secret, only the prefix."""

from __future__ import annotations

import datetime
import hmac
import secrets
import string
from typing import TYPE_CHECKING, Any

from allauth.mfa.models import Authenticator
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from doorway.api.models import TOKEN_PREFIX, AccessToken, Scope, digest_of
from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.people.signin import SECOND_FACTORS

if TYPE_CHECKING:
    from doorway.people.models import User

ALPHABET = string.ascii_letters + string.digits
PUBLIC_LENGTH = 8
SECRET_LENGTH = 43  # 43 characters of 62: 256 bits.
MAX_DAYS = 366
NAME_LENGTH = AccessToken._meta.get_field("name").max_length or 100
# `last_used_at` is written at most this often per token, not on every request.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def second_factors_of(owner: User) -> QuerySet[Authenticator]:
    # allauth ships no types: the annotation is what gives the queryset one.
    factors: QuerySet[Authenticator] = Authenticator.objects.filter(
        user_id=owner.pk, type__in=SECOND_FACTORS
    )
    return factors


def has_second_factor(owner: User) -> bool:
    """A token is one more way in, so it needs what signing in needs. There is no
    exemption, not even for demo accounts under DOORWAY_DEMO (which may sign in without
    one): a demo account that wants a token sets up an authenticator app first."""
    return second_factors_of(owner).exists()


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def check_token_input(name: str, scope: str, days: Any) -> tuple[str, Scope, int]:
    """The cleaned name, scope and lifetime, or one ValidationError keyed by field."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = gettext("Give the token a name, so you know later what it is for.")
    elif len(name) > NAME_LENGTH:
        errors["name"] = gettext("Keep the name to %(n)s characters or fewer.") % {"n": NAME_LENGTH}
    if scope not in Scope.values:
        errors["scope"] = gettext(
            "Choose read (it can only read) or write (it can also change records)."
        )
    try:
        days = int(str(days).strip())
    except ValueError:
        days = None
    if days is None or not 1 <= days <= MAX_DAYS:
        errors["expires"] = gettext(
            "A token lasts between 1 and %(max)s days; give a whole number."
        ) % {"max": MAX_DAYS}
    if errors:
        raise ValidationError(errors)
    return name, Scope(scope), days


@transaction.atomic
def issue_token(
    owner: User,
    *,
    name: str,
    scope: str,
    days: Any,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> tuple[AccessToken, str]:
    """Make a token for `owner`; the token itself is returned once and kept nowhere."""
    name, scope, days = check_token_input(name, scope, days)
    if not owner.is_active or not owner.role:
        raise ValidationError({"user": gettext("Only an active staff account can hold a token.")})
    if not has_second_factor(owner):
        raise ValidationError(
            {
                NON_FIELD_ERRORS: gettext(
                    "A token needs a second factor, and this account has no authenticator "
                    "app set up. Set one up first (Account → Two-factor authentication), "
                    "then make the token."
                )
            }
        )
    now = timezone.now()
    for _ in range(5):
        prefix = TOKEN_PREFIX + _random(PUBLIC_LENGTH)
        token = f"{prefix}_{_random(SECRET_LENGTH)}"
        try:
            with transaction.atomic():
                access = AccessToken.objects.create(
                    owner=owner,
                    name=name,
                    scope=scope,
                    prefix=prefix,
                    digest=digest_of(token),
                    created_at=now,
                    expires_at=now + datetime.timedelta(days=days),
                )
            break
        except IntegrityError:  # the same public id drawn twice: draw again
            continue
    else:  # pragma: no cover - 62**8 public ids
        raise RuntimeError("Could not draw a free token id.")
    record(
        Action.CREATE,
        actor=actor,
        request=request,
        subject=access,
        detail={
            "token": access.prefix,
            "via": "settings page" if request is not None else "command",
            "owner": str(owner.pk),
            "scope": str(scope),
            "expires": access.expires_at.isoformat(),
        },
    )
    return access, token


@transaction.atomic
def revoke_token(
    access: AccessToken, *, actor: User | None = None, request: HttpRequest | None = None
) -> AccessToken:
    """Revoke `access` from now on. Revoking a revoked token changes nothing."""
    access = AccessToken.objects.select_for_update().get(pk=access.pk)
    if access.revoked_at is not None:
        return access
    _revoke(
        access,
        at=timezone.now(),
        actor=actor,
        request=request,
        via="settings page" if request is not None else "command",
    )
    return access


@transaction.atomic
def revoke_all_tokens(
    owner: User, *, because: str, actor: User | None = None, request: HttpRequest | None = None
) -> int:
    """Revoke every live token of `owner`, each audited with `because`. Called by every
    path that removes or resets her second factor: a token made under the old one must
    not outlive it. Returns how many were revoked."""
    now = timezone.now()
    live = list(
        AccessToken.objects.select_for_update()
        .filter(owner_id=owner.pk, revoked_at__isnull=True)
        .order_by("created_at")
    )
    for access in live:
        _revoke(access, at=now, actor=actor, request=request, because=because)
    return len(live)


def _revoke(
    access: AccessToken, *, at: Any, actor: User | None, request: HttpRequest | None, **why: str
) -> None:
    """Mark one locked token revoked and audit it with `why`."""
    access.revoked_at = at
    access.save(update_fields=["revoked_at"])
    record(
        Action.CHANGE,
        actor=actor,
        request=request,
        subject=access,
        detail={"token": access.prefix, "owner": str(access.owner_id), "revoked": True, **why},
    )


class Refused(Exception):
    """Why a presented token does not authenticate, in words safe to send back."""


def parse_prefix(token: str) -> str | None:
    """The prefix of a well-formed token, or None."""
    length = len(TOKEN_PREFIX) + PUBLIC_LENGTH
    if (
        len(token) == length + 1 + SECRET_LENGTH
        and token.startswith(TOKEN_PREFIX)
        and token[length] == "_"
        and all(c in ALPHABET for c in token[len(TOKEN_PREFIX) : length])
        and all(c in ALPHABET for c in token[length + 1 :])
    ):
        return token[:length]
    return None


def token_for(token: str) -> AccessToken:
    """The usable token `token` names, or Refused. Its owner must still be active."""
    prefix = parse_prefix(token)
    # Whether her second factor is still there is asked in the same query.
    access = (
        AccessToken.objects.select_related("owner")
        .annotate(
            owner_has_second_factor=Exists(
                Authenticator.objects.filter(user_id=OuterRef("owner_id"), type__in=SECOND_FACTORS)
            )
        )
        .filter(prefix=prefix)
        .first()
        if prefix
        else None
    )
    # Compared in constant time; a wrong secret and an unknown token answer alike.
    if access is None or not hmac.compare_digest(access.digest, digest_of(token)):
        raise Refused(gettext("The token is not valid."))
    now = timezone.now()
    if access.revoked_at is not None:
        raise Refused(gettext("The token was revoked."))
    if access.expires_at <= now:
        raise Refused(gettext("The token has expired. Make a new one in your settings."))
    if not access.owner.is_active:
        raise Refused(gettext("The token's account is deactivated."))
    if not getattr(access, "owner_has_second_factor", False):
        raise Refused(
            gettext("The token's account has no second factor any more; the token is void.")
        )
    if access.last_used_at is None or now - access.last_used_at >= LAST_USED_EVERY:
        AccessToken.objects.filter(pk=access.pk).update(last_used_at=now)
        access.last_used_at = now
    return access

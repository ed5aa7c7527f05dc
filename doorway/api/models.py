"""Personal access tokens for the API.

A token is `dw_` + an eight-character public id + `_` + a 43-character secret. Only the
public part (the prefix, shown in lists) and a SHA-256 digest of the whole token are
kept: the token itself is shown once, when it is made, and never again. The secret has
256 bits of entropy, so a plain digest cannot be reversed or guessed from a copy of the
database; no salt or slow hash is needed (as for passwords, which people choose).

A token acts as its owner: it reaches exactly what she reaches, through the one access
rule, and stops working when it expires, when it is revoked, or when her account is
deactivated.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    import datetime

TOKEN_PREFIX = "dw_"  # noqa: S105 - the public marker secret scanners look for


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Scope(models.TextChoices):
    # Reads only: any write is refused with 403.
    READ = "read", _("Read only")
    # Reads and writes, each still checked by the app's own rules.
    WRITE = "write", _("Read and write")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class AccessTokenQuerySet(models.QuerySet["AccessToken"]):
    def usable(self) -> AccessTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def past(self) -> AccessTokenQuerySet:
        """Revoked or expired: no longer usable."""
        return self.filter(
            models.Q(revoked_at__isnull=False) | models.Q(expires_at__lte=timezone.now())
        )


class AccessToken(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    # Her own words for what it is for ("Reporting script").
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=5, choices=Scope.choices)
    # `dw_` and the public id: enough to tell tokens apart, useless to authenticate.
    prefix = models.CharField(max_length=11, unique=True)
    # SHA-256 of the whole token, hex.
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def may_write(self) -> bool:
        return self.scope == Scope.WRITE

    def status_at(self, now: datetime.datetime) -> Status:
        if self.revoked_at is not None:
            return Status.REVOKED
        if self.expires_at <= now:
            return Status.EXPIRED
        return Status.ACTIVE

    @property
    def status(self) -> Status:
        return self.status_at(timezone.now())

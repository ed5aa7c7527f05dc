"""The audit log: append-only, each entry chained to the one before by a keyed hash."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, ClassVar

from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    VIEW = "view", "Viewed a record"
    LIST = "list", "Viewed a list"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    EXPORT = "export", "Exported"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    SIGN_OUT = "sign_out", "Signed out"
    LOCKED_OUT = "locked_out", "Locked out after failed sign-ins"
    # Someone asked for a record they may not reach; they were answered 404.
    REFUSED = "refused", "Refused"
    BREAK_GLASS = "break_glass", "Broke the glass"
    KEYS_ROTATED = "keys_rotated", "Rotated encryption keys"


GENESIS = "0" * 64


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One thing someone did. Actors and subjects are kept as plain identifiers (not
    foreign keys) so that no later change elsewhere can cascade into this table."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    actor_id = models.CharField(max_length=36, blank=True, db_index=True)
    # The username at the time, kept so the log reads the same after renames.
    actor_username = models.CharField(max_length=150, blank=True)
    participant_id = models.CharField(max_length=36, blank=True, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=36, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    reason = models.TextField(blank=True)
    # Never personal data: field names changed, counts, outcomes.
    detail = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects: ClassVar[AuditEntryQuerySet] = AuditEntryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["participant_id", "-id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username or '-'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")

    def canonical(self) -> bytes:
        """The entry's content in a fixed form: what the hash covers."""
        content = {
            "at": self.at.isoformat(),
            "action": self.action,
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "participant_id": self.participant_id,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "ip_address": self.ip_address or "",
            "path": self.path,
            "reason": self.reason,
            "detail": self.detail,
            "previous_hash": self.previous_hash,
        }
        return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()

    def compute_hash(self) -> str:
        key = settings.AUDIT_CHAIN_KEY.encode()
        return hmac.new(key, self.canonical(), hashlib.sha256).hexdigest()


class ChainHead(models.Model):
    """The newest entry's id and hash, on one row that writers lock, so two writers
    never chain onto the same entry and a removed tail is noticed."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_entry_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS)
    entries = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "audit chain head"

    def __str__(self) -> str:
        return f"{self.entries} entries, last {self.last_entry_id}"

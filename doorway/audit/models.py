"""The audit log: append-only. Each entry carries a keyed MAC of its content from the
moment it is written; the sequencer (`doorway.audit.log.seal`) later gives it its place
on the chain (`seq`) and a keyed hash that covers the entry before it. See `log.py`."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorway.encryption import EncryptedTextField


class Action(models.TextChoices):
    VIEW = "view", _("Viewed a record")
    LIST = "list", _("Viewed a list")
    SEARCH = "search", _("Searched")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    EXPORT = "export", _("Exported")
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    SIGN_OUT = "sign_out", _("Signed out")
    LOCKED_OUT = "locked_out", _("Locked out after failed sign-ins")
    # Someone asked for a record they may not reach; they were answered 404.
    REFUSED = "refused", _("Refused")
    BREAK_GLASS = "break_glass", _("Broke the glass")
    KEYS_ROTATED = "keys_rotated", _("Rotated encryption keys")
    # Her information left Doorway (doorway.disclosures).
    DISCLOSE = "disclose", _("Shared outside Doorway")
    # A partner agency opened or answered a referral link (no account: no actor).
    PARTNER_OPENED = "partner_opened", _("A partner opened a referral link")
    # What identified her was destroyed; the entry is her record's tombstone.
    ERASE = "erase", _("Erased a record")


GENESIS = "0" * 64


class UnreadableReason(str):
    """What an audit reason reads as when its stored token cannot be decrypted with the
    configured keys (written over by someone without them, or a key removed too soon).
    It matches no MAC, so the check reports the entry as edited instead of failing."""

    __slots__ = ()


UNREADABLE_REASON = UnreadableReason("\x00unreadable")


class AuditReasonField(EncryptedTextField):
    """An audit entry's reason (why someone broke the glass, exported research data…),
    encrypted at rest like the records it is about.

    Key rotation and the chain. The entry's MAC and chain hash cover the reason's
    *plain text*, never its token: `doorway rotate-keys` re-encrypts these tokens under
    the newest key like every other encrypted value (a Fernet token differs each time it
    is made), and every MAC and chain hash still verifies, because the text they cover
    has not changed. Had they covered the token, rotation would have had to leave the
    reasons under old keys for ever, or break the chain. Covering the plain text keeps
    a keyed HMAC of it in the database, which says nothing without the audit key.

    A token that cannot be decrypted reads as `UNREADABLE_REASON`, so that the check
    reports that entry instead of stopping at it."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        try:
            return super().from_db_value(value, expression, connection)
        except ValueError:
            return UNREADABLE_REASON


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
    # Encrypted at rest; the MAC and chain hash cover its plain text (see the field).
    reason = AuditReasonField(blank=True)
    # Never personal data: field names changed, counts, outcomes.
    detail = models.JSONField(default=dict, blank=True)
    # Random, written with the entry and covered by its MAC: no two entries share a MAC,
    # so a copy of an entry inserted as a new row (its content and MAC replayed) is
    # told from the entry it copies. Blank on entries written before entries had one.
    nonce = models.CharField(max_length=32, blank=True)
    # Keyed MAC of the content above, written with the entry: an edit is caught at once,
    # sealed or not. Blank only on entries chained before entries carried their own.
    entry_mac = models.CharField(max_length=64, blank=True)
    # Set by the sequencer when it chains the entry: its place on the chain (1, 2, 3…,
    # no gaps), the hash of the entry before it, and its own chain hash.
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    previous_hash = models.CharField(max_length=64, blank=True)
    entry_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["participant_id", "-id"]),
            # The sequencer's work list stays small however long the log grows.
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username or '-'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")

    @property
    def sealed(self) -> bool:
        return self.seq is not None

    @property
    def reason_unreadable(self) -> bool:
        return isinstance(self.reason, UnreadableReason)

    def canonical(self, *, chained: bool = True) -> bytes:
        """The entry's content in a fixed form: what the MAC covers, and with the hash
        of the entry before it (`chained`), what the chain hash covers. The reason is
        covered as plain text, not as its token, so rotating the field keys leaves every
        MAC and hash valid (see `AuditReasonField`)."""
        content: dict[str, Any] = {
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
        }
        if self.nonce:
            # Only when there is one: the MACs and hashes of entries written before
            # entries had a nonce stay as they were.
            content["nonce"] = self.nonce
        if chained:
            content["previous_hash"] = self.previous_hash
        return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()

    def compute_mac(self) -> str:
        """Written with the entry, before it has a place on the chain."""
        key = settings.AUDIT_CHAIN_KEY.encode()
        return hmac.new(key, self.canonical(chained=False), hashlib.sha256).hexdigest()

    def compute_hash(self) -> str:
        """The chain hash: the content and the hash of the entry before it."""
        key = settings.AUDIT_CHAIN_KEY.encode()
        return hmac.new(key, self.canonical(), hashlib.sha256).hexdigest()


class ChainHead(models.Model):
    """The newest chained entry's id and hash and the chain's length, on one row that
    only the sequencer locks (writers of entries never touch it), so two sequencers
    never chain onto the same entry. It lives in the database it describes: the signed
    checkpoints outside the database are what catch a tail removed with it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_entry_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS)
    entries = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "audit chain head"

    def __str__(self) -> str:
        return f"{self.entries} entries, last {self.last_entry_id}"


class VerifyRun(models.Model):
    """One check of the whole log, run in the background for the administrator who
    asked; its page polls `processed` of `total`."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the worker")
        RUNNING = "running", _("Checking")
        INTACT = "intact", _("Intact")
        BROKEN = "broken", _("Broken")
        FAILED = "failed", _("Could not finish")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audit_verify_runs"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    processed = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    # What was found, in the words of `Report.lines()`: entry numbers and counts only.
    findings = models.TextField(blank=True)
    # What the check could not prove (no checkpoint yet), one a line.
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.WAITING, self.Status.RUNNING}

    @property
    def percent(self) -> int:
        return min(100, self.processed * 100 // self.total) if self.total else 0

"""The key canary: a known text kept under each key, so that a server started with keys
that cannot read what is stored is refused before it writes anything (`keycheck.py`)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class KeyCanary(models.Model):
    class Purpose(models.TextChoices):
        # A Fernet token of the known text, under the field keys.
        FIELD_KEYS = "field_keys", "DOORWAY_FIELD_KEYS"
        # The known text's blind-index digest.
        BLIND_INDEX = "blind_index", "DOORWAY_BLIND_INDEX_KEY"
        # The known text's HMAC under the audit key.
        AUDIT = "audit", "DOORWAY_AUDIT_KEY"

    purpose = models.CharField(max_length=20, primary_key=True, choices=Purpose.choices)
    # Never anything but the canary's own known text, transformed by the key.
    proof = models.TextField()
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("key canary")

    def __str__(self) -> str:
        return self.purpose

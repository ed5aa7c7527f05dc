"""A draft: one worker's unsent words in one form, about one record.

Kept by (author, form, what the form is about, the object it edits), encrypted at rest
like the case note it will become, and never kept longer than DRAFT_DAYS.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

from django.db import models
from django.utils import timezone

from doorway.encryption import EncryptedTextField
from doorway.enrolments.models import Enrolment
from doorway.people.models import User

# A draft older than this is gone: words she has not come back to in a week are not
# kept on the server.
DRAFT_DAYS = 7
# What one draft may hold (the JSON of its fields); a case note is far shorter.
MAX_DRAFT_CHARS = 64_000

Fields = dict[str, list[str]]


def oldest_kept() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=DRAFT_DAYS)


class DraftQuerySet(models.QuerySet["Draft"]):
    def live(self) -> DraftQuerySet:
        return self.filter(saved_at__gte=oldest_kept())

    def expired(self) -> DraftQuerySet:
        return self.filter(saved_at__lt=oldest_kept())

    def of(self, author: User, form_key: str, about: str, object_id: str) -> DraftQuerySet:
        return self.filter(author=author, form_key=form_key, about=about, object_id=object_id)


class Draft(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # Which form (registered in `registry`), the id of what it is about (an enrolment,
    # a team) and of the record it edits ("" for a new one).
    form_key = models.CharField(max_length=40)
    about = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    # Her record, when the form is about her: the draft goes with it.
    enrolment = models.ForeignKey(
        Enrolment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    content = EncryptedTextField()
    saved_at = models.DateTimeField(default=timezone.now)

    objects = DraftQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author", "form_key", "about", "object_id"], name="draft_one_per_form"
            )
        ]
        indexes = [models.Index(fields=["saved_at"], name="draft_saved_at")]

    def __str__(self) -> str:
        return f"Draft of {self.form_key} ({self.saved_at:%Y-%m-%d %H:%M})"

    @property
    def fields(self) -> Fields:
        loaded: Any = json.loads(self.content)
        return loaded if isinstance(loaded, dict) else {}

    @staticmethod
    def dump(fields: Fields) -> str:
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))

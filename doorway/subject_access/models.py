"""Her request for a copy of what Doorway holds about her, and when it was answered.

Ontario's PHIPA (s. 54) asks for an answer within 30 days of the request (extendable
once, by up to 30 more, with notice to her): `due_on` is that first date. A request
holds dates only, never what she asked in her words.
"""

from __future__ import annotations

import datetime
import uuid

from django.db import models
from django.utils import timezone

from doorway.people.models import Participant, User

# PHIPA s. 54(2): an answer no later than 30 days after the request.
ANSWER_WITHIN_DAYS = 30


class SubjectAccessRequestQuerySet(models.QuerySet["SubjectAccessRequest"]):
    def unanswered(self) -> SubjectAccessRequestQuerySet:
        return self.filter(answered_on__isnull=True)


class SubjectAccessRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="copy_requests"
    )
    # The day she asked (the 30 days run from it).
    received_on = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    # The day her copy was made for her; none while the request waits.
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = SubjectAccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answered_on__isnull=True)
                | models.Q(answered_on__gte=models.F("received_on")),
                name="copy_answered_after_asked",
            ),
        ]

    def __str__(self) -> str:
        return f"Copy requested {self.received_on:%Y-%m-%d}"

    @property
    def due_on(self) -> datetime.date:
        return self.received_on + datetime.timedelta(days=ANSWER_WITHIN_DAYS)

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.answered_on is None and today > self.due_on

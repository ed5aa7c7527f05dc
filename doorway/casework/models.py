"""Contacts and case notes: each time a worker (or a peer mentor) met or spoke with her.

The note is clinical and encrypted at rest, in the history table too. Goals are not
modelled yet, so a contact records the focus areas it addressed but not the goals.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from doorway.encryption import EncryptedTextField
from doorway.enrolments.models import Enrolment
from doorway.people.models import User
from doorway.programs.models import FocusArea

MAX_MINUTES = 600

# Kept by name so that a save can write one version holding both the fields and the
# focus areas (left alone, simple-history writes a second version for the areas).
CONTACT_HISTORY = HistoricalRecords(m2m_fields=["focus_areas"])


class ContactKind(models.TextChoices):
    # One-to-one counselling with her case manager.
    INDIVIDUAL_COUNSELLING = "counselling", "Individual counselling"
    # A structured cognitive-behavioural therapy session.
    CBT_SESSION = "cbt", "CBT session"
    # Going with her to an appointment (court, clinic, housing office).
    ACCOMPANIMENT = "accompaniment", "Accompaniment"
    # A call or text exchange.
    PHONE_OR_TEXT = "phone_text", "Phone or text"
    # Meeting her where she is: street, home, shelter.
    OUTREACH_OR_HOME_VISIT = "outreach_visit", "Outreach or home visit"
    # Responding to a crisis.
    CRISIS_SUPPORT = "crisis", "Crisis support"
    # Time with her peer mentor; the only kind a peer mentor records.
    PEER_CONTACT = "peer", "Peer contact"


def late_after_days() -> int:
    return int(settings.LATE_NOTE_DAYS)


def is_late(happened_on: datetime.date, recorded_at: datetime.datetime) -> bool:
    """Written more than LATE_NOTE_DAYS days after the contact (local dates)."""
    return (timezone.localdate(recorded_at) - happened_on).days > late_after_days()


class ContactQuerySet(models.QuerySet["Contact"]):
    def newest_first(self) -> ContactQuerySet:
        return self.order_by("-happened_on", "-recorded_at")

    def for_page(self) -> ContactQuerySet:
        """Everything the contacts list shows, in a fixed number of queries."""
        return self.select_related("recorded_by").prefetch_related("focus_areas").newest_first()


class Contact(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="contacts")
    happened_on = models.DateField("Date of the contact")
    duration_minutes = models.PositiveSmallIntegerField("Duration (minutes)")
    kind = models.CharField(max_length=20, choices=ContactKind.choices)
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="+")
    note = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set when written more than LATE_NOTE_DAYS after the contact; kept with the row so
    # that a later change of the setting does not rewrite what was late at the time.
    is_late = models.BooleanField(default=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    history = CONTACT_HISTORY

    objects: ClassVar[ContactQuerySet] = ContactQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-happened_on", "-recorded_at"]
        indexes = [models.Index(fields=["enrolment", "happened_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.happened_on:%Y-%m-%d}"

    def save_version(self, focus_areas: Iterable[FocusArea] | None, *, by: User) -> None:
        """Save the row and its focus areas, then write exactly one history version."""
        new = self._state.adding
        self.skip_history_when_saving = True
        try:
            self.save()
            if focus_areas is not None:
                self.focus_areas.set(list(focus_areas))
        finally:
            del self.skip_history_when_saving
        self._history_user = by
        CONTACT_HISTORY.create_historical_record(self, "+" if new else "~")

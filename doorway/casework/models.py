"""Contacts and case notes: each time a worker (or a peer mentor) met or spoke with her.

The note is clinical and encrypted at rest, in the history table too. Goals are not
modelled yet, so a contact records the focus areas it addressed but not the goals.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from doorway.encryption import EncryptedTextField
from doorway.enrolments.models import Enrolment
from doorway.people.models import User
from doorway.programs.models import FocusArea, KeyIngredient

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

MAX_MINUTES = 600

# Kept by name so that a save can write one version holding both the fields and the
# focus areas (left alone, simple-history writes a second version for the areas).
CONTACT_HISTORY = HistoricalRecords(m2m_fields=["focus_areas"])


class ContactKind(models.TextChoices):
    # One-to-one counselling with her case manager.
    INDIVIDUAL_COUNSELLING = "counselling", _("Individual counselling")
    # A structured cognitive-behavioural therapy session.
    CBT_SESSION = "cbt", _("CBT session")
    # Going with her to an appointment (court, clinic, housing office).
    ACCOMPANIMENT = "accompaniment", _("Accompaniment")
    # A call or text exchange.
    PHONE_OR_TEXT = "phone_text", _("Phone or text")
    # Meeting her where she is: street, home, shelter.
    OUTREACH_OR_HOME_VISIT = "outreach_visit", _("Outreach or home visit")
    # Responding to a crisis.
    CRISIS_SUPPORT = "crisis", _("Crisis support")
    # Time with her peer mentor; the only kind a peer mentor records.
    PEER_CONTACT = "peer", _("Peer contact")


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
        return (
            self.select_related("recorded_by")
            .prefetch_related("focus_areas", "goals__focus_area", "ingredients")
            .newest_first()
        )


class Contact(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="contacts")
    happened_on = models.DateField(_("Date of the contact"))
    duration_minutes = models.PositiveSmallIntegerField(_("Duration (minutes)"))
    kind = models.CharField(max_length=20, choices=ContactKind.choices)
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="+")
    # The program's key ingredients this contact shows at work (evidence for the
    # theory of change).
    ingredients = models.ManyToManyField(KeyIngredient, blank=True, related_name="contacts")
    note = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set when written more than LATE_NOTE_DAYS after the contact; kept with the row so
    # that a later change of the setting does not rewrite what was late at the time.
    is_late = models.BooleanField(default=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    history = CONTACT_HISTORY

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-happened_on", "-recorded_at"]
        indexes = [
            # Her contacts newest first, read straight off the index; and a page of a
            # team's contacts sorts only these columns, never the rows (the API list).
            models.Index(
                fields=["enrolment", "-happened_on", "-recorded_at", "id"],
                name="contact_enrolment_newest",
            )
        ]

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


# --- Outreach (the pre-phase) ----------------------------------------------------------


class OutreachKind(models.TextChoices):
    # Meeting women where they are: street, strolls, drop-in spots.
    STREET = "street", _("Street outreach")
    # Going into institutions where she is held or staying.
    IN_REACH = "in_reach", _("In-reach (jails, shelters, hospitals)")
    # A call, text line, chat or online space.
    PHONE_ONLINE = "phone_online", _("Phone or online")


class Material(models.TextChoices):
    HARM_REDUCTION_KIT = "harm_reduction", _("Harm-reduction kit")
    FOOD_OR_DRINK = "food", _("Food or drink")
    HYGIENE_KIT = "hygiene", _("Hygiene kit")
    INFORMATION_CARD = "info_card", _("Information card")
    CLOTHING = "clothing", _("Clothing")
    TRANSIT_FARE = "transit", _("Transit fare")
    OTHER = "other", _("Other")


class OutreachQuerySet(models.QuerySet["OutreachContact"]):
    def newest_first(self) -> OutreachQuerySet:
        return self.order_by("-happened_on", "-recorded_at")

    def for_page(self) -> OutreachQuerySet:
        """Everything the outreach log shows, in a fixed number of queries."""
        return self.select_related("recorded_by").prefetch_related("materials").newest_first()

    def unlinked(self) -> OutreachQuerySet:
        return self.filter(participant__isnull=True)

    def with_nickname(self, nickname: str) -> OutreachQuerySet:
        """Exact (case- and accent-blind) match through the outreach blind index."""
        from doorway.encryption import normalise, outreach_nickname_digest

        if not normalise(nickname):
            return self.none()
        return self.filter(nickname_digest=outreach_nickname_digest(nickname))


class OutreachContact(models.Model):
    """One outreach or in-reach contact, possibly with several women, none of whom has
    consented to a record. Nothing here identifies anyone: a place description, counts,
    and at most a nickname (encrypted). Linked to her record once she consents."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="outreach_contacts"
    )
    happened_on = models.DateField(_("Date"))
    kind = models.CharField(max_length=20, choices=OutreachKind.choices)
    place = models.CharField(max_length=200, help_text=_("A place description, never an address."))
    women_reached = models.PositiveSmallIntegerField(_("Number of women reached"))
    nickname = EncryptedTextField(blank=True)
    # Keyed HMAC of the normalised nickname, for exact lookup; blank when none. Its key
    # is derived for outreach alone (`encryption.outreach_nickname_digest`), so it never
    # equals a participant's name digest.
    nickname_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    referrals_in = models.PositiveSmallIntegerField(_("Women who asked to be referred"), default=0)
    note = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    participant = models.ForeignKey(
        "people.Participant",
        on_delete=models.PROTECT,
        related_name="outreach_contacts",
        null=True,
        blank=True,
    )
    linked_at = models.DateTimeField(null=True, blank=True)
    linked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = OutreachQuerySet.as_manager()

    if TYPE_CHECKING:
        materials: RelatedManager[OutreachMaterial]

    class Meta:
        ordering = ["-happened_on", "-recorded_at"]
        indexes = [models.Index(fields=["program", "happened_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(women_reached__gte=1), name="outreach_reaches_someone"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.happened_on:%Y-%m-%d}"

    def material_labels(self) -> list[str]:
        return [str(Material(m.material).label) for m in self.materials.all()]


class OutreachMaterial(models.Model):
    """One kind of material given during an outreach contact (a row, so that the
    pre-phase report counts them in SQL on every database)."""

    outreach = models.ForeignKey(
        OutreachContact, on_delete=models.CASCADE, related_name="materials"
    )
    material = models.CharField(max_length=20, choices=Material.choices)

    class Meta:
        ordering = ["material"]
        constraints = [
            models.UniqueConstraint(fields=["outreach", "material"], name="material_once")
        ]

    def __str__(self) -> str:
        return self.get_material_display()


# --- Supervision -------------------------------------------------------------------------


class SupervisionSession(models.Model):
    """A team's weekly supervision and caseload review."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(
        "people.Team", on_delete=models.PROTECT, related_name="supervision_sessions"
    )
    held_on = models.DateField(_("Date held"))
    led_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    attendees = models.ManyToManyField(User, related_name="supervision_sessions", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    if TYPE_CHECKING:
        reviews: RelatedManager[SupervisionReview]

    class Meta:
        ordering = ["-held_on", "-recorded_at"]
        indexes = [models.Index(fields=["team", "held_on"])]

    def __str__(self) -> str:
        return f"Supervision on {self.held_on:%Y-%m-%d}"


class SupervisionReview(models.Model):
    """One participant reviewed in a session, with the decisions taken (clinical)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(
        SupervisionSession, on_delete=models.CASCADE, related_name="reviews"
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="supervision_reviews"
    )
    decisions = EncryptedTextField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="reviewed_once_a_session")
        ]

    def __str__(self) -> str:
        return str(_("Supervision review"))


# --- Transfer of care and the closing note -----------------------------------------------


class TransferOfCare(models.Model):
    """The phase-3 meeting at which her care passes to her long-term supports."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="transfers_of_care"
    )
    met_on = models.DateField(_("Date of the meeting"))
    # Her own supports (a sister, a doctor, a sponsor), one a line: they can identify her.
    supports = EncryptedTextField(blank=True)
    partners = models.ManyToManyField(
        "programs.PartnerAgency", related_name="transfers_of_care", blank=True
    )
    agreed = EncryptedTextField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-met_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"Transfer-of-care meeting on {self.met_on:%Y-%m-%d}"

    def support_list(self) -> list[str]:
        return [line.strip() for line in (self.supports or "").splitlines() if line.strip()]


class ClosingNote(models.Model):
    """Written at graduation; edits keep the earlier versions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="closing_note"
    )
    written_on = models.DateField()
    written_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField()
    edited_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return str(_("Closing note"))

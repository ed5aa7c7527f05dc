"""Configuration: agencies, their programs, phases, focus areas, cycles and partners.

A program manager edits phases and focus areas in pages. Nothing here is deleted once
casework refers to it: it is retired, and every edit is kept in its history, so past
records read as they were written.
"""

from __future__ import annotations

import calendar
import datetime
import uuid
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class ContactCadence(models.TextChoices):
    # How often CTI expects contact with her while she is in the phase.
    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")
    AS_NEEDED = "as_needed", _("As needed")

    @property
    def days(self) -> int | None:
        return {"weekly": 7, "fortnightly": 14, "monthly": 30}.get(self.value)


class ServiceKind(models.TextChoices):
    HOUSING = "housing", _("Housing")
    EMPLOYMENT = "employment", _("Employment")
    EDUCATION = "education", _("Education and training")
    HEALTH = "health", _("Health")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    LEGAL = "legal", _("Legal")
    INCOME = "income", _("Income support")
    IMMIGRATION = "immigration", _("Immigration")
    COUNSELLING = "counselling", _("Counselling")
    OTHER = "other", _("Other")


class Agency(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def in_active_language(english: str, french: str) -> str:
    """A name the agency wrote in both languages, in the page's language (English when
    no French was written)."""
    if french and (translation.get_language() or "").startswith("fr"):
        return french
    return english


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class Program(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(max_length=200)
    name_fr = models.CharField("name in French", max_length=200, blank=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    # Printed on her plan: whom she calls (the program's desk, when her case manager's
    # own line is not known).
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(
        default=16, help_text="Youngest age at which someone can be enrolled."
    )
    caseload_limit = models.PositiveSmallIntegerField(
        default=20, help_text="Most participants one case manager should carry (CTI: about 20)."
    )
    # The prefix of the participant codes issued for this program, e.g. EDH-4K7P2Q.
    code_prefix = models.CharField(max_length=6, default="DW")
    # Her information on her terms: how long a consent to share lasts unless she says
    # otherwise, how long her record is kept after her last contact, and how often her
    # safe-contact instructions are checked with her.
    consent_months = models.PositiveSmallIntegerField(
        _("consent to share lasts (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("How long a consent to share with a partner lasts unless she chooses."),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("records kept (years after the last contact)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("After this, her record is proposed for erasure."),
    )
    safe_contact_check_days = models.PositiveSmallIntegerField(
        _("safe-contact instructions confirmed every (days)"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
        help_text=_("Older instructions are put on her case manager's caseload to confirm."),
    )
    history = HistoricalRecords()

    if TYPE_CHECKING:
        phases: RelatedManager[Phase]
        focus_areas: RelatedManager[FocusArea]
        cycles: RelatedManager[Cycle]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        return in_active_language(self.name, self.name_fr)

    def consent_ends_on(self, given_on: datetime.date) -> datetime.date:
        """The day a consent to share given on `given_on` lapses, by default: the same
        day `consent_months` later (the month's last day when that day does not exist)."""
        return add_months(given_on, self.consent_months)

    def active_phases(self) -> models.QuerySet[Phase]:
        return self.phases.filter(retired=False).order_by("order")

    def active_focus_areas(self) -> models.QuerySet[FocusArea]:
        return self.focus_areas.filter(retired=False).order_by("order")


class Phase(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="phases")
    name = models.CharField(max_length=120)
    name_fr = models.CharField("name in French", max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(help_text="Phases are worked through in this order.")
    description = models.TextField(blank=True)
    expected_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="About how long she is expected to stay in this phase; blank if open-ended.",
    )
    contact_cadence = models.CharField(
        max_length=20, choices=ContactCadence.choices, default=ContactCadence.WEEKLY
    )
    requires_service_consent = models.BooleanField(
        default=True, help_text="She must have consented to service before entering this phase."
    )
    requires_eligibility = models.BooleanField(
        default=False, help_text="She must have been found eligible before entering this phase."
    )
    retired = models.BooleanField(
        default=False, help_text="Retired phases keep their history but take no new moves."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "order"],
                condition=models.Q(retired=False),
                name="one_active_phase_per_position",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        return in_active_language(self.name, self.name_fr)

    @property
    def cadence_days(self) -> int | None:
        return ContactCadence(self.contact_cadence).days


class FocusArea(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="focus_areas")
    name = models.CharField(max_length=120)
    name_fr = models.CharField("name in French", max_length=120, blank=True)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    retired = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "slug"], name="focus_area_slug_per_program")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        return in_active_language(self.name, self.name_fr)


class Cycle(models.Model):
    """An intake cohort of a program, with its dates (and, later, its costs)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cycles")
    name = models.CharField(max_length=120)
    starts_on = models.DateField()
    ends_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="cycle_name_per_program"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="cycle_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.name}: {self.name}"


class PartnerAgency(models.Model):
    """An agency outside Doorway that participants are referred to."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="partners")
    name = models.CharField(max_length=200)
    services = models.JSONField(default=list, blank=True, help_text="Kinds of service offered.")
    contact_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "partner agencies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="partner_name_per_agency")
        ]

    def __str__(self) -> str:
        return self.name

    def service_labels(self) -> list[str]:
        labels = dict(ServiceKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.services]


class CostCategory(models.TextChoices):
    STAFF = "staff", _("Staff")
    SPACE = "space", _("Space")
    PARTICIPANT_SUPPORTS = "supports", _("Participant supports")
    PEER_HONORARIA = "peer_honoraria", _("Peer honoraria")
    DROP_IN_FOOD_TRANSIT = "food_transit", _("Food and transit for drop-ins")
    OTHER = "other", _("Other operating costs")
    # Kept apart: what the evaluation cost is not what the program cost.
    EVALUATION = "evaluation", _("Evaluation (excluded from operating cost)")


class CostLine(models.Model):
    """One line of a cycle's costs. Money is Decimal to the cent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="cost_lines")
    category = models.CharField(max_length=20, choices=CostCategory.choices)
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    recorded_by = models.ForeignKey(
        "people.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cycle", "category", "description"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="cost_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.amount}"


class KeyIngredient(models.Model):
    """A mechanism the program counts on (trust building, collaborative goal setting,
    ...). Case notes and interview excerpts are tagged with them as evidence."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="ingredients")
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["program", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "slug"], name="ingredient_slug_per_program")
        ]

    def __str__(self) -> str:
        return self.name

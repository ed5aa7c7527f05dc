"""Her plan: the service plan agreed with her, the phase plans (one to three focus areas
per phase, as CTI asks), goals with steps, and the reviews that follow each phase change.

Her own words and the worker's private notes are encrypted at rest. Status moves of goals
and steps are kept, dated, in `StatusChange`; the service plan keeps its earlier versions.
Writes go through `doorway.plans.actions`.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from doorway.encryption import EncryptedTextField
from doorway.enrolments.models import Enrolment, JourneyEvent
from doorway.people.models import User
from doorway.programs.models import FocusArea, Phase

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

MAX_FOCUS_AREAS = 3


class Status(models.TextChoices):
    # Agreed, not yet begun.
    NOT_STARTED = "not_started", _("Not started")
    # She is working on it.
    IN_PROGRESS = "in_progress", _("In progress")
    # Done: the good ending.
    ACHIEVED = "achieved", _("Achieved")
    # Replaced by another goal or step when things changed.
    CHANGED = "changed", _("Changed")
    # Set aside, by her choice or because it no longer fits.
    DROPPED = "dropped", _("Dropped")


OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS)


class ServicePlan(models.Model):
    """The plan she agreed with her case manager: one per enrolment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="service_plan"
    )
    agreed_on = models.DateField("Date agreed with her")
    her_words = EncryptedTextField("What she wants, in her own words")
    # For the care team only: never shown to a peer mentor, never printed.
    private_notes = EncryptedTextField("Private worker notes", blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        goals: RelatedManager[Goal]

    def __str__(self) -> str:
        return f"Service plan agreed {self.agreed_on:%Y-%m-%d}"


class PhasePlan(models.Model):
    """The one to three focus areas worked on in one phase of her journey."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="phase_plans")
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+")
    focus_areas = models.ManyToManyField(FocusArea, related_name="+")
    agreed_on = models.DateField("Date agreed")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["phase__order"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "phase"], name="one_phase_plan_per_phase")
        ]

    def __str__(self) -> str:
        return f"Phase plan for {self.phase.name}"


class GoalQuerySet(models.QuerySet["Goal"]):
    def for_page(self) -> GoalQuerySet:
        """Goals with their focus area and steps, in a fixed number of queries."""
        return self.select_related("focus_area").prefetch_related("steps")


class Goal(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(ServicePlan, on_delete=models.PROTECT, related_name="goals")
    focus_area = models.ForeignKey(FocusArea, on_delete=models.PROTECT, related_name="+")
    her_words = EncryptedTextField("The goal, in her words")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    target_on = models.DateField("Target date", null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    contacts = models.ManyToManyField("casework.Contact", related_name="goals", blank=True)

    objects = GoalQuerySet.as_manager()

    if TYPE_CHECKING:
        steps: RelatedManager[Step]

    class Meta:
        ordering = ["order", "created_at"]

    def __str__(self) -> str:
        return f"Goal in {self.focus_area.name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Step(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="steps")
    what = EncryptedTextField("The step")
    target_on = models.DateField("Target date", null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    # The day it was achieved; empty otherwise.
    done_on = models.DateField("Done on", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["target_on", "created_at"]

    def __str__(self) -> str:
        return "Step"


class StatusChange(models.Model):
    """One dated status move of a goal, or of one of its steps (then `step` is set)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="status_changes")
    step = models.ForeignKey(
        Step, on_delete=models.PROTECT, related_name="status_changes", null=True, blank=True
    )
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    changed_on = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_on", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class PlanReview(models.Model):
    """A review of her plan, usually asked for by a phase change."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="plan_reviews")
    reviewed_on = models.DateField("Date of the review")
    # The phase she was in at the review.
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+")
    # The phase change that asked for this review, when one did.
    prompted_by = models.ForeignKey(
        JourneyEvent, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided = EncryptedTextField("What was decided")
    goals_changed = models.ManyToManyField(Goal, related_name="+", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_on", "-recorded_at"]
        indexes = [models.Index(fields=["enrolment", "reviewed_on"])]

    def __str__(self) -> str:
        return f"Plan review of {self.reviewed_on:%Y-%m-%d}"

    @property
    def prompted_by_phase_change(self) -> bool:
        return self.prompted_by_id is not None

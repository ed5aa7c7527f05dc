"""Questionnaires and scales as versioned data, and their administrations to an enrolment.

An `Instrument` (the intake assessment, the journey scale) is stable; what it asks is
in its `InstrumentVersion`s, each a complete copy: sections, items, choices, and the
scoring and rules as data (evaluated by `doorway.instruments.scoring`, never by eval).
Once a version has been answered (any administration uses it) it never changes: its
save and delete, and those of its sections, items and choices, raise `VersionFrozen`.
Editing makes a new version. Items keep a stable `code` across versions, so results
by code compare across versions; stored scores are kept with each administration.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorway.encryption import EncryptedTextField
from doorway.enrolments.models import Enrolment
from doorway.people.models import User
from doorway.programs.models import FocusArea, Program, in_active_language

if TYPE_CHECKING:
    from collections.abc import Collection

    from django.db.models.fields.related_descriptors import RelatedManager


class Timepoint(models.TextChoices):
    # The baseline, at or soon after intake.
    INTAKE = "intake", _("Intake")
    # When she moves from one phase to the next.
    PHASE_CHANGE = "phase_change", _("Phase change")
    # When she finishes the last phase.
    GRADUATION = "graduation", _("Graduation")
    # One month after graduation.
    FOLLOW_UP = "follow_up", _("Follow-up")
    # Any other time the worker and she choose.
    AD_HOC = "ad_hoc", _("Ad hoc")


class ItemKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    YES_NO = "yes_no", "Yes or no"
    # A 1-10 scale, each step with its own words.
    SCALE = "scale", "Scale from 1 to 10"
    # Her own words: encrypted at rest.
    TEXT = "text", "Free text"


CHOICE_KINDS = {ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE}
SCALE_STEPS = 10


class VersionFrozen(Exception):
    """An answered instrument version, or a part of one, was about to change."""

    def __init__(self, version: Any = None) -> None:
        number = f" {version.number}" if version is not None else ""
        super().__init__(
            f"Version{number} has been answered and can no longer change: make a new version."
        )


def _version_is_answered(version_id: Any) -> bool:
    return version_id is not None and Administration.objects.filter(version_id=version_id).exists()


class FrozenQuerySet(models.QuerySet[Any]):
    """Bulk update and delete refuse rows of an answered version, as save and delete do.
    `version_path` is the lookup from the row to its version."""

    version_path = "version"

    def _touches_answered(self) -> bool:
        return Administration.objects.filter(version__in=self.values(self.version_path)).exists()

    def update(self, **kwargs: Any) -> int:
        if self._touches_answered():
            raise VersionFrozen()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self._touches_answered():
            raise VersionFrozen()
        return super().delete()


class VersionQuerySet(FrozenQuerySet):
    version_path = "pk"


class ChoiceQuerySet(FrozenQuerySet):
    version_path = "item__version"


class Instrument(models.Model):
    """A questionnaire or scale of a program, stable across its versions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="instruments")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    name_fr = models.CharField("name in French", max_length=200, blank=True)
    description = models.TextField(blank=True)
    # The timepoints it is meant for, offered first when a worker starts one.
    timepoints = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    if TYPE_CHECKING:
        versions: RelatedManager[InstrumentVersion]

    class Meta:
        ordering = ["program", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "slug"], name="instrument_slug_per_program")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        return in_active_language(self.name, self.name_fr)

    def current_version(self) -> InstrumentVersion | None:
        return self.versions.order_by("-number").first()

    def timepoint_labels(self) -> list[str]:
        labels = dict(Timepoint.choices)
        return [str(labels.get(t, t)) for t in self.timepoints]

    def next_timepoint(self, done: Collection[str] = ()) -> str:
        """The timepoint to offer first for her, given those of this instrument already
        done: the first of its own not yet done (phase changes and ad hoc ones come
        again), so that her second journey scale is not offered as another intake; ad
        hoc once all of them are done."""
        again = {Timepoint.PHASE_CHANGE, Timepoint.AD_HOC}
        for timepoint in self.timepoints:
            if timepoint in again or timepoint not in done:
                return str(timepoint)
        return str(Timepoint.AD_HOC)


class InstrumentVersion(models.Model):
    """One complete, numbered definition of an instrument. Frozen once answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # What changed from the version before, in the editor's words.
    note = models.CharField(max_length=300, blank=True)
    # Scores and rules as data; see doorway.instruments.scoring for their shape.
    scoring = models.JSONField(default=list, blank=True)
    rules = models.JSONField(default=list, blank=True)

    objects = VersionQuerySet.as_manager()

    if TYPE_CHECKING:
        sections: RelatedManager[Section]
        items: RelatedManager[Item]
        administrations: RelatedManager[Administration]

    class Meta:
        ordering = ["instrument", "number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="version_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.instrument.name}, version {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self.is_answered():
            raise VersionFrozen(self)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_answered():
            raise VersionFrozen(self)
        return super().delete(*args, **kwargs)

    def is_answered(self) -> bool:
        return _version_is_answered(self.pk)


class VersionPart(models.Model):
    """A section, item or choice: refuses to change once its version is answered."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if _version_is_answered(self.version_id_of()):
            raise VersionFrozen()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if _version_is_answered(self.version_id_of()):
            raise VersionFrozen()
        return super().delete(*args, **kwargs)

    def version_id_of(self) -> Any:
        raise NotImplementedError


class Section(VersionPart):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    help = models.TextField(blank=True)
    # The French wording beside the English, in the same version: one scoring identity
    # whatever the language. Blank: the English is shown.
    title_fr = models.CharField(max_length=200, blank=True)
    help_fr = models.TextField(blank=True)
    # Shown only if this condition holds (same shape as an item's); null: always.
    show_if = models.JSONField(null=True, blank=True)

    objects = FrozenQuerySet.as_manager()

    if TYPE_CHECKING:
        items: RelatedManager[Item]

    class Meta:
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return self.title

    @property
    def local_title(self) -> str:
        return in_active_language(self.title, self.title_fr)

    @property
    def local_help(self) -> str:
        return in_active_language(self.help, self.help_fr)

    def version_id_of(self) -> Any:
        return self.version_id


class Item(VersionPart):
    """One question. Its `code` is the same in every version that asks it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=80)
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    prompt = models.CharField(max_length=500)
    help = models.TextField(blank=True)
    prompt_fr = models.CharField(max_length=500, blank=True)
    help_fr = models.TextField(blank=True)
    required = models.BooleanField(default=False)
    # {"item": code, "op": "answered"|"equals"|"includes"|"at_least", "value": ...}
    show_if = models.JSONField(null=True, blank=True)
    # For journey-scale items: the focus area it rates.
    focus_area = models.ForeignKey(
        FocusArea, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    min_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # For 1-10 scale items: the words of each step, shown to the person answering.
    step_labels = models.JSONField(default=list, blank=True)
    step_labels_fr = models.JSONField(default=list, blank=True)

    objects = FrozenQuerySet.as_manager()

    if TYPE_CHECKING:
        choices: RelatedManager[Choice]

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="item_code_once_per_version")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def local_prompt(self) -> str:
        return in_active_language(self.prompt, self.prompt_fr)

    @property
    def local_help(self) -> str:
        return in_active_language(self.help, self.help_fr)

    @property
    def local_step_labels(self) -> list[str]:
        if self.step_labels_fr and in_active_language("en", "fr") == "fr":
            return list(self.step_labels_fr)
        return list(self.step_labels)

    def version_id_of(self) -> Any:
        return self.version_id


class Choice(VersionPart):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=80)
    label = models.CharField(max_length=300)
    label_fr = models.CharField(max_length=300, blank=True)
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    objects = ChoiceQuerySet.as_manager()

    class Meta:
        ordering = ["item", "order"]
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="choice_code_once_per_item")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def local_label(self) -> str:
        return in_active_language(self.label, self.label_fr)

    def version_id_of(self) -> Any:
        return Item.objects.filter(pk=self.item_id).values_list("version_id", flat=True).first()


class AdministrationQuerySet(models.QuerySet["Administration"]):
    def newest_first(self) -> AdministrationQuerySet:
        return self.order_by("-completed_on", "-recorded_at")

    def for_list(self) -> AdministrationQuerySet:
        return self.select_related("version__instrument", "recorded_by").newest_first()


class Administration(models.Model):
    """One time she answered one version of an instrument, with its scores as computed
    then: a later version never rewrites them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="administrations"
    )
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="administrations"
    )
    timepoint = models.CharField(max_length=20, choices=Timepoint.choices)
    completed_on = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    # {score code: number or null}, by the version's scoring.
    scores = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # [{code, label, met, reasons: [{text, met}]}], by the version's rules.
    rule_results = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)

    objects = AdministrationQuerySet.as_manager()

    if TYPE_CHECKING:
        answers: RelatedManager[Answer]

    class Meta:
        ordering = ["-completed_on", "-recorded_at"]
        indexes = [
            models.Index(fields=["enrolment", "completed_on"]),
            models.Index(fields=["timepoint", "enrolment"]),
        ]

    def __str__(self) -> str:
        return f"{self.version.instrument.name} ({self.get_timepoint_display()})"

    def rule(self, code: str) -> dict[str, Any] | None:
        return next((r for r in self.rule_results if r.get("code") == code), None)


class Answer(models.Model):
    """Her answer to one item, in the column of its kind."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    # Number, 1-10 rating, or yes (1) / no (0).
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    # Codes of the chosen choices (one for a single choice).
    choices = models.JSONField(default=list, blank=True)
    text = EncryptedTextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["administration", "item"], name="one_answer_per_item")
        ]

    def __str__(self) -> str:
        return f"Answer to {self.item.code}"

    def value(self) -> Any:
        """The answer as the scoring engine reads it."""
        kind = self.item.kind
        if kind == ItemKind.SINGLE_CHOICE:
            return self.choices[0] if self.choices else None
        if kind == ItemKind.MULTIPLE_CHOICE:
            return list(self.choices)
        if kind == ItemKind.YES_NO:
            return None if self.number is None else bool(self.number)
        if kind == ItemKind.SCALE:
            return None if self.number is None else int(self.number)
        if kind == ItemKind.NUMBER:
            return self.number
        if kind == ItemKind.DATE:
            return self.date
        return self.text


class FocusAreaProgress(models.Model):
    """Her baseline and later rating in one focus area, as the outcome tables define them
    (`evaluation.outcomes`), derived from her ratings by `progress.refresh_progress` in
    the transaction that records them. A row exists when she has a baseline in the area;
    `later` is set only when it counts (on or after the baseline's date). The outcome
    tables read one row per woman and area here instead of sorting every rating."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    # Derived data never blocks anything: it goes with the area (which items protect).
    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="+")
    baseline = models.PositiveSmallIntegerField()
    baseline_on = models.DateField()
    later = models.PositiveSmallIntegerField(null=True)
    later_on = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "focus_area"], name="one_progress_per_enrolment_and_area"
            )
        ]
        # The outcome tables count by area over many women.
        indexes = [models.Index(fields=["focus_area", "enrolment"])]

    def __str__(self) -> str:
        return "Progress in a focus area"

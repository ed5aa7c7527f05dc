"""The evaluation's own inputs. Everything else it reads from the other parts and
never writes."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from doorway.encryption import EncryptedTextField
from doorway.programs.models import KeyIngredient, PartnerAgency, Program


class Relationship(models.TextChoices):
    VERY_POSITIVE = "very_positive", _("Very positive")
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neither positive nor negative")
    NEGATIVE = "negative", _("Negative")
    VERY_NEGATIVE = "very_negative", _("Very negative")


POSITIVE_RELATIONSHIPS = (Relationship.VERY_POSITIVE, Relationship.POSITIVE)


class PartnerSurveyResponse(models.Model):
    """A partner agency's answer to the yearly partner survey. About the partnership,
    never about a participant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        PartnerAgency, on_delete=models.PROTECT, related_name="survey_responses"
    )
    year = models.PositiveSmallIntegerField()
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    benefits = models.JSONField(default=list, blank=True, help_text="Benefits they have seen.")
    comments = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "year"], name="one_survey_per_partner_year")
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.year}: {self.get_relationship_display()}"

    @property
    def is_positive(self) -> bool:
        return self.relationship in POSITIVE_RELATIONSHIPS


# --- Theory of change and contribution analysis (issue 4) -------------------------------
# Editable data per program: steps from activities to long-term outcomes, the links
# between them with their assumptions, risks and alternative explanations, and each
# link's evidence. About the program, never about a participant: indicators are
# computed live as de-identified counts (see `doorway.evaluation.theory.actions.INDICATORS`).


class StepKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    OUTPUT = "output", _("Output")
    IMMEDIATE = "immediate", _("Immediate outcome")
    INTERMEDIATE = "intermediate", _("Intermediate outcome")
    LONG_TERM = "long_term", _("Long-term outcome")


# The order in which the theory is read: a link goes from one kind to the same or a later.
STEP_ORDER = {kind: n for n, kind in enumerate(StepKind.values)}


class ChangeStep(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="change_steps")
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    # A stable name for templates such as Exit Doors Here's (installing twice finds it).
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["program", "order", "title"]
        constraints = [
            models.UniqueConstraint(fields=["program", "key"], name="change_step_key_per_program")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def rank(self) -> int:
        return STEP_ORDER[self.kind]


class EvidenceRating(models.TextChoices):
    STRONG = "strong", _("Strong")
    MODERATE = "moderate", _("Moderate")
    WEAK = "weak", _("Weak")
    NONE = "none", _("None")


class ChangeLink(models.Model):
    """ "This step leads to that one", with what must hold for it to, what could stop
    it, and what else could explain the change. The evaluator rates its evidence."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="change_links")
    source = models.ForeignKey(ChangeStep, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(ChangeStep, on_delete=models.CASCADE, related_name="links_in")
    assumptions = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    alternative_explanations = models.TextField(blank=True)
    # Blank until the evaluator rates it.
    rating = models.CharField(max_length=10, choices=EvidenceRating.choices, blank=True)
    rating_note = models.TextField(blank=True)
    rated_by = models.ForeignKey(
        "people.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["source__order", "target__order"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="one_link_per_step_pair")
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class LinkIndicator(models.Model):
    """A named indicator (from the registry in `theory.INDICATORS`) offered as evidence
    for a link; its value is computed when the page is shown, never stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    link = models.ForeignKey(ChangeLink, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.SlugField(max_length=60)
    note = models.TextField(blank=True, help_text="What the figure says about this link.")

    class Meta:
        ordering = ["indicator"]
        constraints = [
            models.UniqueConstraint(fields=["link", "indicator"], name="indicator_once_per_link")
        ]

    def __str__(self) -> str:
        return self.indicator


class Interviewee(models.TextChoices):
    STAFF = "staff", _("Staff member")
    PEER_MENTOR = "peer_mentor", _("Peer mentor")
    PARTNER = "partner", _("Partner agency")


class InterviewExcerpt(models.Model):
    """An excerpt from a staff or peer-mentor interview, coded to the program's key
    ingredients (the mechanisms). Never names a participant; encrypted all the same."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    link = models.ForeignKey(ChangeLink, on_delete=models.CASCADE, related_name="excerpts")
    interviewee = models.CharField(max_length=20, choices=Interviewee.choices)
    interviewed_on = models.DateField(null=True, blank=True)
    text = EncryptedTextField()
    mechanisms = models.ManyToManyField(KeyIngredient, blank=True, related_name="excerpts")
    recorded_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-interviewed_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_interviewee_display()} excerpt"


class Reference(models.Model):
    """A published study or report that supports (or questions) a link."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    link = models.ForeignKey(ChangeLink, on_delete=models.CASCADE, related_name="references")
    citation = models.CharField(max_length=500)
    url = models.URLField(blank=True, max_length=500)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["citation"]

    def __str__(self) -> str:
        return self.citation


# --- The research export's register (issue 12) ---------------------------------------


class ResearchExportRecord(models.Model):
    """One research export taken: by whom, when, of how many rows, and why. The reason
    is free text an evaluator wrote about a study of these women, so it is kept
    encrypted here; the audit entry of the export points to this record by its id
    rather than carrying the reason in plain text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    taken_by = models.ForeignKey(
        "people.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    taken_at = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)
    reason = EncryptedTextField()

    class Meta:
        ordering = ["-taken_at"]

    def __str__(self) -> str:
        return f"Research export {self.taken_at:%Y-%m-%d}"


class ReportSnapshot(models.Model):
    """A cohort's evaluation report as it stood at `taken_at`, kept so that a program's
    evaluation pages answer at once however many women it has (`snapshots`).

    A copy, never a source: `doorway evaluate` and the exports count from the records,
    and a snapshot equals what they gave at `taken_at`. One per cohort of whole cycles,
    per language (the report carries translated words) and per kind of figures (exact,
    or published). The background worker takes
    them again every `DOORWAY_REPORT_REFRESH_SECONDS`; a consent to the research given or
    withdrawn, or an enrolment removed, drops them, so nobody stays in a figure she has
    left."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    # The cohort's whole cycles, as sorted ids ("" for every cycle): no personal data.
    cycles = models.TextField(blank=True)
    language = models.CharField(max_length=10)
    # As someone without access to the women's records sees it (`disclosure.publish`).
    published = models.BooleanField(default=False)
    # The report's JSON, encrypted, but for its longest parts: each participant's
    # fidelity verdicts and who falls short of each item, by code (`details`, JSON,
    # encrypted), read only by the fidelity section. At a national deployment they are
    # megabytes that the other sections would decrypt for nothing.
    report = EncryptedTextField()
    details = EncryptedTextField(blank=True, default="")
    taken_at = models.DateTimeField()
    # How long the report took to count: what a page would have waited without it.
    seconds = models.FloatField(default=0)
    # Snapshots nobody has opened for a while are dropped rather than kept current.
    viewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "cycles", "language", "published"],
                name="one_snapshot_per_cohort",
            )
        ]

    def __str__(self) -> str:
        return f"report snapshot of {self.program_id} as of {self.taken_at:%Y-%m-%d %H:%M}"


class SnapshotsForgotten(models.Model):
    """When the kept reports were last dropped (`snapshots.forget_all`). A report
    counted from records read before then is shown to whoever asked but not kept: a
    consent withdrawn while the worker was counting must not come back in its copy."""

    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"report snapshots dropped at {self.at:%Y-%m-%d %H:%M:%S}"

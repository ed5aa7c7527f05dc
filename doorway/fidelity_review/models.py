"""A fidelity review: a random sample of the records the computed fidelity covers,
drawn with a recorded seed, each record rated item by item by hand, to set beside the
computed verdicts.

What is kept of each sampled record is what the fidelity items read, and nothing that
names her: days counted from her referral, counts of what was recorded in each CTI
phase, how she left (`evidence.facts`), and the computed verdict of each item on the day
of the draw. Her enrolment is linked so that a record whose research consent has since
been withdrawn is left out of what is shown and counted, and so that erasing her removes
her sampled record with her other rows.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorway.enrolments.models import Enrolment
from doorway.programs.models import Program


class Rating(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    CANT_TELL = "cant_tell", _("Can't tell")


class FidelityReview(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    # The cohort drawn from, in words and by cycle (`Cohort.as_dict`).
    cohort = models.JSONField(default=dict)
    seed = models.PositiveBigIntegerField()
    sample_size = models.PositiveIntegerField()
    population_size = models.PositiveIntegerField()
    # The day the computed fidelity and the evidence are read as of.
    drawn_on = models.DateField()
    drawn_at = models.DateTimeField(default=timezone.now)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-drawn_at",)

    def __str__(self) -> str:
        return f"Fidelity review {self.drawn_on:%Y-%m-%d} (seed {self.seed})"


class SampledRecord(models.Model):
    review = models.ForeignKey(FidelityReview, on_delete=models.CASCADE, related_name="records")
    position = models.PositiveIntegerField()  # "Record 3 of 10"
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    facts = models.JSONField()  # `evidence.facts`: never a name, a code or a date
    computed = models.JSONField()  # item -> "pass" / "fail" / "not yet", on `drawn_on`

    class Meta:
        ordering = ("review", "position")
        constraints = [
            models.UniqueConstraint(fields=("review", "position"), name="one_record_a_position"),
            models.UniqueConstraint(fields=("review", "enrolment"), name="one_position_a_record"),
        ]

    def __str__(self) -> str:
        return f"Record {self.position} of review {self.review_id}"


class ItemRating(models.Model):
    record = models.ForeignKey(SampledRecord, on_delete=models.CASCADE, related_name="ratings")
    item = models.CharField(max_length=40)
    rating = models.CharField(max_length=10, choices=Rating.choices)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("record", "item"), name="one_rating_an_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.rating}"

"""The evaluation's own inputs. Everything else it reads from the other parts and
never writes."""

from __future__ import annotations

import uuid

from django.db import models

from doorway.programs.models import PartnerAgency


class Relationship(models.TextChoices):
    VERY_POSITIVE = "very_positive", "Very positive"
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neither positive nor negative"
    NEGATIVE = "negative", "Negative"
    VERY_NEGATIVE = "very_negative", "Very negative"


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

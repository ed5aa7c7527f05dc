"""Reading reviews: which a person reaches, and which of a review's records are still
shown (her consent to the evaluation research still in force)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from doorway.fidelity_review import agreement
from doorway.fidelity_review.models import FidelityReview, ItemRating, SampledRecord
from doorway.people.models import ConsentKind, Participant
from doorway.programs.models import Program


def reviews_of(program: Program) -> QuerySet[FidelityReview]:
    return FidelityReview.objects.filter(program=program).select_related("drawn_by")


def _records(review: FidelityReview) -> QuerySet[SampledRecord]:
    consenting = Participant.objects.consented_to(ConsentKind.EVALUATION).filter(
        pk=OuterRef("enrolment__participant_id")
    )
    return review.records.annotate(in_research=Exists(consenting)).prefetch_related(
        Prefetch("ratings", queryset=ItemRating.objects.order_by("item"))
    )


@dataclass
class Sample:
    """A review's records: those shown, and the positions left out because her consent
    to the evaluation research is no longer in force (or her record was erased)."""

    review: FidelityReview
    shown: list[SampledRecord]
    left_out: list[int] = field(default_factory=list)

    def ratings(self, record: SampledRecord) -> dict[str, str]:
        return {r.item: r.rating for r in record.ratings.all()}

    def results(self) -> list[dict[str, Any]]:
        return agreement.item_results((r.computed, self.ratings(r)) for r in self.shown)


def sample_of(review: FidelityReview) -> Sample:
    records = list(_records(review))
    shown = [r for r in records if getattr(r, "in_research", False)]
    present = {r.position for r in shown}
    left_out = [p for p in range(1, review.sample_size + 1) if p not in present]
    return Sample(review, shown, left_out)


def shown_record(review: FidelityReview, position: int) -> SampledRecord | None:
    """The record at `position`, if it is still shown."""
    found = _records(review).filter(position=position).first()
    return found if found is not None and getattr(found, "in_research", False) else None

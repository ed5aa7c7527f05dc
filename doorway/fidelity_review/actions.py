"""Drawing a review and rating its records.

The population is the computed fidelity's own (`fidelity.fidelity_report`): the women of
the cohort whose consent to the evaluation research is in force and who reached CTI
phase 1. The cohort is the one the person may see: the whole program for a program
manager, who sees the exact figures; for an evaluator, the cycles published under
disclosure control (as the research export: whole cycles of at least
`disclosure.MINIMUM_COHORT` consenting women).

The sample: the population's enrolment ids, sorted as text, then
`random.Random(seed).sample(ids, n)`, in the order drawn (record 1 is the first drawn).
The same seed and the same population give the same sample, on any database.
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.enrolments.models import Enrolment
from doorway.evaluation import disclosure, fidelity, permissions
from doorway.evaluation.cohort import Cohort, evaluation_enrolments
from doorway.evaluation.process import cti_phases
from doorway.fidelity_review import evidence
from doorway.fidelity_review.models import FidelityReview, ItemRating, Rating, SampledRecord
from doorway.people.models import User
from doorway.programs.models import Program

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone

MAX_SAMPLE = 200
MAX_SEED = 2**63 - 1


class Refused(Exception):
    """Bad input: nothing was drawn or saved. `errors`: field -> messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {k: [str(m) for m in v] for k, v in errors.items()}
        super().__init__("; ".join(m for ms in self.errors.values() for m in ms))


def review_cohort(program: Program, user: Someone) -> Cohort:
    """The cohort she may draw from. CohortRefused when, under disclosure control, no
    cycle is big enough."""
    if permissions.sees_exact_figures(user):
        return Cohort(program=program)
    return disclosure.published_cohort(program)


def population(cohort: Cohort) -> list[str]:
    """The computed fidelity's population in the cohort: enrolment ids, sorted as text."""
    phases = cti_phases(cohort)
    if not phases:
        return []
    people = fidelity.reached_phase_1(evaluation_enrolments(cohort), phases)
    return sorted(str(pk) for pk in people.values_list("pk", flat=True))


def sample(ids: list[str], size: int, seed: int) -> list[str]:
    """`size` of `ids`, drawn with `seed`, in the order drawn."""
    return random.Random(seed).sample(ids, size)  # noqa: S311 - a reproducible sample, not a secret


def new_seed() -> int:
    return secrets.randbelow(10**9) + 1


def draw(
    program: Program,
    *,
    by: User,
    sample_size: int,
    seed: int | None = None,
    cohort: Cohort | None = None,
    today: datetime.date | None = None,
) -> FidelityReview:
    """Draw and record a review (audited). Refused, with nothing saved, for a sample
    size out of range or a seed that is not a whole number from 0 to 2^63-1."""
    cohort = cohort or review_cohort(program, by)
    today = today or timezone.localdate()
    ids = population(cohort)
    if seed is None:
        seed = new_seed()
    if not 0 <= seed <= MAX_SEED:
        raise Refused({"seed": [_("The seed is a whole number from 0 to 2^63-1.")]})
    if not ids:
        raise Refused(
            {
                "sample_size": [
                    _(
                        "Nobody to draw: no woman in this cohort has consented to the "
                        "evaluation research and reached CTI phase 1."
                    )
                ]
            }
        )
    if not 1 <= sample_size <= min(len(ids), MAX_SAMPLE):
        raise Refused(
            {
                "sample_size": [
                    _("Draw from 1 to %(most)s records: the population holds %(count)s.")
                    % {"most": min(len(ids), MAX_SAMPLE), "count": len(ids)}
                ]
            }
        )
    chosen = sample(ids, sample_size, seed)
    phases = cti_phases(cohort)
    people, records = fidelity._load(
        program, Enrolment.objects.filter(pk__in=chosen), phases, today
    )
    by_id = {str(j.id): j for j in people}
    with transaction.atomic():
        review = FidelityReview.objects.create(
            program=program,
            cohort=cohort.as_dict(),
            seed=seed,
            sample_size=sample_size,
            population_size=len(ids),
            drawn_on=today,
            drawn_by=by,
        )
        SampledRecord.objects.bulk_create(
            SampledRecord(
                review=review,
                position=position,
                enrolment_id=by_id[key].id,
                facts=evidence.facts(by_id[key], records),
                computed={
                    item: fidelity.CHECKS[item](by_id[key], records)[0]
                    for item in evidence.ITEM_KEYS
                },
            )
            for position, key in enumerate(chosen, start=1)
        )
        record(
            Action.CREATE,
            actor=by,
            subject=review,
            detail={
                "fidelity_review": "drawn",
                "program": program.slug,
                "seed": seed,
                "sample_size": sample_size,
                "population_size": len(ids),
                "cohort": cohort.as_dict(),
            },
        )
    return review


def rate(sampled: SampledRecord, *, by: User, ratings: Mapping[str, str]) -> dict[str, str]:
    """Save her ratings of some of the record's items (audited). Refused, with nothing
    saved, for an unknown item or rating. The ratings saved."""
    errors: dict[str, list[str]] = {}
    for item, value in ratings.items():
        if item not in evidence.ITEM_KEYS:
            errors[item] = [_("Not a fidelity item of this review.")]
        elif value not in Rating.values:
            errors[item] = [
                _("Rate it one of: %(choices)s.") % {"choices": ", ".join(Rating.values)}
            ]
    if errors:
        raise Refused(errors)
    if not ratings:
        return {}
    now = timezone.now()
    with transaction.atomic():
        for item, value in ratings.items():
            ItemRating.objects.update_or_create(
                record=sampled,
                item=item,
                defaults={"rating": value, "rated_by": by, "rated_at": now},
            )
        record(
            Action.CHANGE,
            actor=by,
            subject=sampled,
            participant=sampled.enrolment.participant_id,
            detail={
                "fidelity_review": "rated",
                "review": str(sampled.review_id),
                "position": sampled.position,
                "ratings": dict(ratings),
            },
        )
    return dict(ratings)

"""Permission-matrix rows for the fidelity review (see `doorway.testing.matrix`): as the
evaluation, its program's managers and evaluators (Morgan, Eve); Olive, who manages
another program, an audited 404; every other role 403."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from doorway.evaluation.tests.matrix import EVALUATION
from doorway.testing.matrix import Endpoint

REVIEW = EVALUATION


def _url(name: str, *more: Any) -> Any:
    def url(w: Any, x: dict[str, Any]) -> str:
        args: list[Any] = [w.program.slug]
        if name != "fidelity_reviews":
            args.append(x["fidelity_review"].pk)
        return reverse(name, args=[*args, *more])

    return url


ENDPOINTS: list[Endpoint] = [
    Endpoint("fidelity_reviews", "GET", _url("fidelity_reviews"), about_her=False, roles=REVIEW),
    Endpoint(
        "fidelity_reviews",
        "POST",
        _url("fidelity_reviews"),
        lambda w, x: {"sample_size": "1", "seed": "3"},
        about_her=False,
        roles=REVIEW,
    ),
    Endpoint("fidelity_review", "GET", _url("fidelity_review"), about_her=False, roles=REVIEW),
    Endpoint(
        "fidelity_review_record",
        "GET",
        _url("fidelity_review_record", 1),
        about_her=False,
        roles=REVIEW,
    ),
    Endpoint(
        "fidelity_review_record",
        "POST",
        _url("fidelity_review_record", 1),
        lambda w, x: {"nine_months": "met", "equal_phases": "not_met"},
        about_her=False,
        roles=REVIEW,
    ),
    Endpoint(
        "fidelity_review_results",
        "GET",
        _url("fidelity_review_results"),
        about_her=False,
        roles=REVIEW,
    ),
]


def setup(world: Any) -> dict[str, Any]:
    """A woman of Rosa's cycle who consented to the research and is in CTI phase 1, and a
    review of one record drawn by the program manager. (The evaluation's rows add the
    consenting women an evaluator needs for the cycle to be published.)"""
    import datetime

    from django.utils import timezone

    from doorway.evaluation.cohort import Cohort
    from doorway.fidelity_review.actions import draw
    from doorway.people.models import ConsentKind
    from doorway.testing.factories import ConsentFactory, EnrolmentFactory, ParticipantFactory

    by = world.alice
    person = ParticipantFactory(preferred_name="Reviewed", agency=world.agency, registered_by=by)
    ConsentFactory(participant=person, recorded_by=by)
    ConsentFactory(participant=person, kind=ConsentKind.EVALUATION, recorded_by=by)
    today = timezone.localdate()
    enrolment = EnrolmentFactory(
        participant=person,
        cycle=world.rosa_enrolment.cycle,
        case_manager=by,
        referred_on=today - datetime.timedelta(days=60),
    )
    phase_1 = list(world.program.active_phases())[1]
    enrolment.move_to(phase_1, by=by, on=today - datetime.timedelta(days=40))
    review = draw(
        world.program, by=world.morgan, sample_size=1, seed=1, cohort=Cohort(world.program)
    )
    return {"fidelity_review": review}


def snapshot(world: Any) -> tuple[object, ...]:
    from doorway.fidelity_review.models import FidelityReview, ItemRating

    return (
        FidelityReview.objects.count(),
        tuple(ItemRating.objects.order_by("pk").values_list("record_id", "item", "rating")),
    )

"""The fidelity review's pages, under the evaluation of a program: the reviews and the
form to draw one, a review with its records, one record's evidence with the form to
rate it, and the results beside the computed fidelity.

Who: those who see the program's evaluation (`evaluation.permissions.access_evaluation`:
its program managers and evaluators; 403 for every other role, an audited 404 for a
program out of reach). A review or a record not of the program is an audited 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.audit.refusal import refuse
from doorway.evaluation import permissions
from doorway.evaluation.disclosure import CohortRefused
from doorway.evaluation.params import accepts
from doorway.fidelity_review import actions, evidence, queries
from doorway.fidelity_review.forms import DrawForm, RatingForm
from doorway.fidelity_review.models import FidelityReview
from doorway.programs.models import Program
from doorway.web.http import AuthenticatedHttpRequest


def _review(
    request: AuthenticatedHttpRequest, program: Program, review_id: uuid.UUID
) -> FidelityReview:
    found = queries.reviews_of(program).filter(pk=review_id).first()
    if found is None:
        refuse(request, object_id=review_id, object_type="fidelity_review.FidelityReview")
    return found


@login_required
@require_http_methods(["GET", "POST"])
@accepts()
def reviews(request: AuthenticatedHttpRequest, program_slug: str) -> HttpResponse:
    program = permissions.access_evaluation(request, program_slug)
    refused: dict[str, list[str]] = {}
    cohort = None
    population = 0
    try:
        cohort = actions.review_cohort(program, request.user)
        population = len(actions.population(cohort))
    except CohortRefused as too_small:
        refused = too_small.errors
    form = DrawForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if cohort is None:
            status = 400
        elif form.is_valid():
            try:
                review = actions.draw(
                    program,
                    by=request.user,
                    sample_size=form.cleaned_data["sample_size"],
                    seed=form.cleaned_data["seed"],
                    cohort=cohort,
                )
            except actions.Refused as bad:
                for name, problems in bad.errors.items():
                    for problem in problems:
                        form.add_error(name if name in form.fields else None, problem)
                status = 400
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s record drawn with seed %(seed)s.",
                        "%(count)s records drawn with seed %(seed)s.",
                        review.sample_size,
                    )
                    % {"count": review.sample_size, "seed": review.seed},
                )
                return redirect("fidelity_review", program.slug, review.pk)
        else:
            status = 400
    return render(
        request,
        "fidelity_review/reviews.html",
        {
            "program": program,
            "reviews": queries.reviews_of(program),
            "form": form,
            "cohort": cohort.describe() if cohort is not None else "",
            "population": population,
            "refused": refused,
        },
        status=status,
    )


@login_required
@require_GET
@accepts()
def review(
    request: AuthenticatedHttpRequest, program_slug: str, review_id: uuid.UUID
) -> HttpResponse:
    program = permissions.access_evaluation(request, program_slug)
    found = _review(request, program, review_id)
    sample = queries.sample_of(found)
    rows = [
        {"record": r, "rated": len(sample.ratings(r)), "items": len(evidence.ITEM_KEYS)}
        for r in sample.shown
    ]
    return render(
        request,
        "fidelity_review/review.html",
        {"program": program, "review": found, "rows": rows, "left_out": sample.left_out},
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts()
def review_record(
    request: AuthenticatedHttpRequest, program_slug: str, review_id: uuid.UUID, position: int
) -> HttpResponse:
    program = permissions.access_evaluation(request, program_slug)
    found = _review(request, program, review_id)
    sampled = queries.shown_record(found, position)
    if sampled is None:
        refuse(
            request,
            object_id=f"{review_id}/{position}",
            object_type="fidelity_review.SampledRecord",
        )
    items = evidence.items(sampled.facts)
    saved = {r.item: r.rating for r in sampled.ratings.all()}
    status = 200
    if request.method == "POST":
        form = RatingForm(items, request.POST)
        if form.is_valid():
            actions.rate(sampled, by=request.user, ratings=form.ratings())
            messages.success(
                request,
                _("Record %(position)s of %(count)s saved.")
                % {"position": position, "count": found.sample_size},
            )
            later = queries.sample_of(found).shown
            following = next((r.position for r in later if r.position > position), None)
            if following is not None and "next" in request.POST:
                return redirect("fidelity_review_record", program.slug, found.pk, following)
            return redirect("fidelity_review_record", program.slug, found.pk, position)
        status = 400
    else:
        form = RatingForm(items, initial=saved)
        record(
            Action.VIEW,
            request=request,
            subject=sampled,
            participant=sampled.enrolment.participant_id,
            detail={"fidelity_review": "record", "review": str(found.pk), "position": position},
        )
    shown: list[dict[str, Any]] = [{**item, "field": form[item["item"]]} for item in items]
    return render(
        request,
        "fidelity_review/record.html",
        {
            "program": program,
            "review": found,
            "record": sampled,
            "items": shown,
            "form": form,
        },
        status=status,
    )


@login_required
@require_GET
@accepts()
def results(
    request: AuthenticatedHttpRequest, program_slug: str, review_id: uuid.UUID
) -> HttpResponse:
    program = permissions.access_evaluation(request, program_slug)
    found = _review(request, program, review_id)
    sample = queries.sample_of(found)
    return render(
        request,
        "fidelity_review/results.html",
        {
            "program": program,
            "review": found,
            "results": sample.results(),
            "shown": len(sample.shown),
            "left_out": sample.left_out,
        },
    )

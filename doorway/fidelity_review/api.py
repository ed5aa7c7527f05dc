"""/api/v1/fidelity-reviews/: fidelity reviews, as the pages make them.

- GET ?program=<slug or id>: the program's reviews; POST {program, sample_size, seed?}:
  draw one (201).
- GET {id}/: the review (who drew it, when, the seed, the population's size) and its
  records' positions with how many items are rated.
- GET {id}/records/{position}/: one sampled record's evidence, item by item, never her
  name, code, dates or words; POST {id}/records/{position}/ratings/ {ratings: {item:
  met | not_met | cant_tell}}: rate some of its items.
- GET {id}/results/: per item, the computed and the reviewer's rates, agreement and
  Cohen's kappa (null when not defined).

Who: as the pages (`evaluation.permissions`): the program's managers and evaluators;
any other role 403 before anything is looked up; a program, review or record out of
reach 404, audited as refused. Drawing, reading a record and rating are audited.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from doorway.api.resources import problems, user_of
from doorway.api.strict import UnknownParameters
from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.audit.refusal import refuse
from doorway.evaluation import permissions
from doorway.evaluation.api import access_program_evaluation
from doorway.evaluation.disclosure import CohortRefused
from doorway.fidelity_review import actions, evidence, queries
from doorway.fidelity_review.models import FidelityReview, Rating


class ReviewSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    program = serializers.CharField(help_text="The program's slug.")
    cohort = serializers.CharField(help_text="The cohort drawn from, in words.")
    seed = serializers.IntegerField()
    sample_size = serializers.IntegerField()
    population_size = serializers.IntegerField(
        help_text="Women of the cohort with consent to the evaluation research in force "
        "who reached CTI phase 1, on the day of the draw."
    )
    drawn_on = serializers.DateField(help_text="The day the evidence and verdicts are as of.")
    drawn_at = serializers.DateTimeField()
    drawn_by = serializers.CharField(help_text="The username of who drew it.")


class ReviewRecordSummarySerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    rated = serializers.IntegerField(help_text="Items rated so far.")


class ReviewDetailSerializer(ReviewSerializer):
    records = ReviewRecordSummarySerializer(many=True)
    left_out = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Positions not shown: her consent to the research is no longer in force, "
        "or her record was erased.",
    )


class DrawSerializer(serializers.Serializer[Any]):
    program = serializers.CharField(help_text="The program's slug or id.")
    sample_size = serializers.IntegerField(min_value=1, max_value=actions.MAX_SAMPLE)
    seed = serializers.IntegerField(
        min_value=0,
        max_value=actions.MAX_SEED,
        required=False,
        allow_null=True,
        help_text="Left out or null: a random seed, chosen and recorded.",
    )


class EvidenceItemSerializer(serializers.Serializer[Any]):
    item = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like an attribute of DRF's Field
    rule = serializers.CharField()
    evidence = serializers.ListField(child=serializers.CharField())
    rating = serializers.ChoiceField(
        choices=Rating.choices, allow_null=True, help_text="Null: not rated yet."
    )


class RecordSerializer(serializers.Serializer[Any]):
    review = serializers.UUIDField()
    position = serializers.IntegerField()
    of = serializers.IntegerField(help_text="The sample's size.")
    items = EvidenceItemSerializer(many=True)


class RatingsSerializer(serializers.Serializer[Any]):
    ratings = serializers.DictField(
        child=serializers.ChoiceField(choices=Rating.choices),
        help_text="Item -> rating, for some or all of the items; others keep theirs.",
    )


class ResultSerializer(serializers.Serializer[Any]):
    item = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like an attribute of DRF's Field
    records = serializers.IntegerField()
    computed_passed = serializers.IntegerField()
    computed_judged = serializers.IntegerField()
    computed_percent = serializers.FloatField(allow_null=True)
    computed_not_yet = serializers.IntegerField()
    reviewer_met = serializers.IntegerField()
    reviewer_judged = serializers.IntegerField()
    reviewer_percent = serializers.FloatField(allow_null=True)
    reviewer_cant_tell = serializers.IntegerField()
    unrated = serializers.IntegerField()
    n = serializers.IntegerField(help_text="Records both judged (met or not met).")
    agreed = serializers.IntegerField()
    agreement_percent = serializers.FloatField(allow_null=True)
    kappa = serializers.FloatField(
        allow_null=True, help_text="Cohen's kappa over the n records; null: not defined."
    )


class ResultsSerializer(serializers.Serializer[Any]):
    review = serializers.UUIDField()
    shown = serializers.IntegerField()
    left_out = serializers.ListField(child=serializers.IntegerField())
    items = ResultSerializer(many=True)


def _only(request: Request, *accepted: str) -> None:
    unknown = set(request.query_params) - {*accepted, "format"}
    if unknown:
        raise UnknownParameters(unknown, {*accepted, "format"})


def _review_data(review: FidelityReview) -> dict[str, Any]:
    return {
        "id": review.pk,
        "program": review.program.slug,
        "cohort": review.cohort.get("description", ""),
        "seed": review.seed,
        "sample_size": review.sample_size,
        "population_size": review.population_size,
        "drawn_on": review.drawn_on,
        "drawn_at": review.drawn_at,
        "drawn_by": review.drawn_by.get_username(),
    }


def _reached_review(request: Request, key: str) -> FidelityReview:
    if not permissions.sees_evaluations(request.user):
        raise PermissionDenied
    try:
        review_id = uuid.UUID(str(key))
    except ValueError:
        raise Http404 from None
    found = (
        FidelityReview.objects.filter(
            pk=review_id, program__in=permissions.evaluated_programs(request.user)
        )
        .select_related("program", "drawn_by")
        .first()
    )
    if found is None:
        refuse(request, object_id=key, object_type="fidelity_review.FidelityReview")
    return found


POSITION = OpenApiParameter("position", OpenApiTypes.INT, OpenApiParameter.PATH)


class FidelityReviewViewSet(viewsets.ViewSet):
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    @extend_schema(
        summary="A program's fidelity reviews",
        parameters=[
            OpenApiParameter(
                "program", OpenApiTypes.STR, required=True, description="The program's slug or id."
            )
        ],
        responses={200: ReviewSerializer(many=True), **problems(400, 401, 403, 404)},
    )
    def list(self, request: Request) -> Response:
        _only(request, "program")
        key = request.query_params.get("program")
        if not key:
            if not permissions.sees_evaluations(request.user):
                raise PermissionDenied
            raise serializers.ValidationError({"program": ["Name the program: ?program=<slug>."]})
        program = access_program_evaluation(request, key)
        found = queries.reviews_of(program).select_related("program")
        return Response(ReviewSerializer([_review_data(r) for r in found], many=True).data)

    @extend_schema(
        summary="Draw a fidelity review",
        description="A random sample of sample_size records from the computed fidelity's "
        "population (for an evaluator, the cycles published under disclosure control), "
        "drawn with the seed given or a random one, recorded and audited. The same seed "
        "and population draw the same records. 400, nothing drawn, for a sample larger "
        "than the population or a cohort too small to review.",
        request=DrawSerializer,
        responses={201: ReviewDetailSerializer, **problems(400, 401, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        _only(request)
        if not permissions.sees_evaluations(request.user):
            raise PermissionDenied
        asked = DrawSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        program = access_program_evaluation(request, asked.validated_data["program"])
        try:
            review = actions.draw(
                program,
                by=user_of(request),
                sample_size=asked.validated_data["sample_size"],
                seed=asked.validated_data.get("seed"),
            )
        except CohortRefused as too_small:
            raise serializers.ValidationError(too_small.errors) from too_small
        except actions.Refused as bad:
            raise serializers.ValidationError(bad.errors) from bad
        return Response(self._detail(review), status=status.HTTP_201_CREATED)

    def _detail(self, review: FidelityReview) -> Any:
        sample = queries.sample_of(review)
        return ReviewDetailSerializer(
            {
                **_review_data(review),
                "records": [
                    {"position": r.position, "rated": len(sample.ratings(r))} for r in sample.shown
                ],
                "left_out": sample.left_out,
            }
        ).data

    @extend_schema(
        summary="A fidelity review and its records",
        responses={200: ReviewDetailSerializer, **problems(400, 401, 403, 404)},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        _only(request)
        return Response(self._detail(_reached_review(request, str(pk))))

    def _record(self, request: Request, pk: str | None, position: str) -> Any:
        review = _reached_review(request, str(pk))
        sampled = queries.shown_record(review, int(position))
        if sampled is None:
            refuse(
                request,
                object_id=f"{pk}/{position}",
                object_type="fidelity_review.SampledRecord",
            )
        return review, sampled

    @extend_schema(
        summary="One sampled record's evidence",
        description="Each participant item's rule and the facts it reads, days counted "
        "from her referral; never her name, code, dates or words. Audited.",
        parameters=[POSITION],
        responses={200: RecordSerializer, **problems(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["get"], url_path=r"records/(?P<position>[0-9]{1,6})")
    def records(self, request: Request, pk: str | None = None, position: str = "0") -> Response:
        _only(request)
        review, sampled = self._record(request, pk, position)
        record(
            Action.VIEW,
            request=request,
            subject=sampled,
            participant=sampled.enrolment.participant_id,
            detail={"fidelity_review": "record", "review": str(review.pk), "api": True},
        )
        return Response(self._record_data(review, sampled))

    def _record_data(self, review: FidelityReview, sampled: Any) -> Any:
        saved = {r.item: r.rating for r in sampled.ratings.all()}
        return RecordSerializer(
            {
                "review": review.pk,
                "position": sampled.position,
                "of": review.sample_size,
                "items": [
                    {**item, "rating": saved.get(item["item"])}
                    for item in evidence.items(sampled.facts)
                ],
            }
        ).data

    @extend_schema(
        summary="Rate a sampled record's items",
        description="Saves the ratings given (met, not_met or cant_tell); items not named "
        "keep theirs. An unknown item or rating: 400, nothing saved. Audited.",
        parameters=[POSITION],
        request=RatingsSerializer,
        responses={200: RecordSerializer, **problems(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path=r"records/(?P<position>[0-9]{1,6})/ratings")
    def ratings(self, request: Request, pk: str | None = None, position: str = "0") -> Response:
        _only(request)
        review, sampled = self._record(request, pk, position)
        asked = RatingsSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        try:
            actions.rate(sampled, by=user_of(request), ratings=asked.validated_data["ratings"])
        except actions.Refused as bad:
            raise serializers.ValidationError({"ratings": bad.errors}) from bad
        sampled = queries.shown_record(review, sampled.position)
        return Response(self._record_data(review, sampled))

    @extend_schema(
        summary="A review's ratings beside the computed fidelity",
        responses={200: ResultsSerializer, **problems(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str | None = None) -> Response:
        _only(request)
        review = _reached_review(request, str(pk))
        sample = queries.sample_of(review)
        return Response(
            ResultsSerializer(
                {
                    "review": review.pk,
                    "shown": len(sample.shown),
                    "left_out": sample.left_out,
                    "items": sample.results(),
                }
            ).data
        )


def register(router: BaseRouter) -> None:
    router.register("fidelity-reviews", FidelityReviewViewSet, basename="fidelity-review")

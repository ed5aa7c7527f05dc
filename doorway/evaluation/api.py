"""/api/v1/evaluation/{program}/outcomes/: the evaluation's outcome tables;
/api/v1/evaluation/deployment/: progress by focus area for every program she evaluates.

The figures are those of `doorway evaluate` (`report.evaluation_report`: the women who
consented to the evaluation research, and nobody else), with small cells suppressed
exactly as in the funder report (`suppress`, the same calls as `charts.funder_*`):
anything an API answers can leave the building.

Who: the program's managers and evaluators (`permissions.access_evaluation`, as the evaluation
page); case managers, peer mentors and administrators are refused (403); a program out
of reach answers 404, audited as refused. Each read is audited against the program.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from doorway.api.resources import problems
from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.audit.refusal import refuse
from doorway.evaluation import deployment, disclosure, permissions, snapshots, views
from doorway.evaluation.charts import (
    INVOLVEMENT_LABELS,
    TIMEPOINT_LABELS,
    label,
    shown,
    shown_row,
    shown_share,
    women_asked,
)
from doorway.evaluation.disclosure import CohortRefused
from doorway.evaluation.suppress import NOT_SHOWN, RULE, SUPPRESSED
from doorway.programs.models import Program
from doorway.replica import reads_replica


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "minimum": 0},
            {"type": "string", "enum": [SUPPRESSED, NOT_SHOWN]},
        ],
        "description": f'A count, or "{SUPPRESSED}" (1 to 4 people) or "{NOT_SHOWN}" '
        "(hidden so that a suppressed count cannot be worked out).",
    }
)
class CountField(serializers.Field[Any, Any, Any, Any]):
    def to_representation(self, value: Any) -> Any:
        return value


def share_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        allow_null=True,
        help_text='A whole percentage such as "63%"; null where its count or denominator '
        "is suppressed.",
        **kwargs,
    )


class EvaluationFocusAreaSerializer(serializers.Serializer[Any]):
    area = serializers.CharField()
    slug = serializers.CharField()
    progressed = CountField(help_text="Latest rating higher than at intake.")
    assessed = CountField(help_text="With both an intake and a later rating in the area.")
    percent = share_field()


class EvaluationInvolvementAnswerSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like an attribute of DRF's Field
    count = CountField()
    percent = share_field()


class EvaluationInvolvementSerializer(serializers.Serializer[Any]):
    timepoint = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like an attribute of DRF's Field
    women_asked = CountField()
    answers = EvaluationInvolvementAnswerSerializer(many=True)


class EvaluationCycleCostSerializer(serializers.Serializer[Any]):
    cycle = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    enrolled = CountField()
    graduated = CountField()
    operating_cost = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="Evaluation costs excluded; null when no cost is recorded yet.",
    )
    cost_per_participant = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True
    )
    cost_per_graduate = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class EvaluationCohortSerializer(serializers.Serializer[Any]):
    description = serializers.CharField()
    cycles = serializers.ListField(child=serializers.CharField())
    enrolled_from = serializers.DateField(allow_null=True)
    enrolled_to = serializers.DateField(allow_null=True)
    phase_reached = serializers.IntegerField(allow_null=True)


class EvaluationDefinitionSerializer(serializers.Serializer[Any]):
    term = serializers.CharField()
    text = serializers.CharField()


class EvaluatedProgramSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()


class EvaluationOutcomesSerializer(serializers.Serializer[Any]):
    program = EvaluatedProgramSerializer()
    cohort = EvaluationCohortSerializer()
    suppression_rule = serializers.CharField()
    focus_areas = EvaluationFocusAreaSerializer(many=True)
    involvement = EvaluationInvolvementSerializer(
        many=True, help_text="Sex-work involvement by timepoint; empty when never asked."
    )
    cycles = EvaluationCycleCostSerializer(many=True)
    definitions = EvaluationDefinitionSerializer(many=True)


class DeploymentMissingSerializer(serializers.Serializer[Any]):
    no_baseline = CountField(help_text="No intake rating in the area.")
    no_later = CountField(help_text="A baseline, but no later rating yet.")


class DeploymentRowSerializer(serializers.Serializer[Any]):
    program = EvaluatedProgramSerializer()
    area = serializers.CharField()
    slug = serializers.CharField()
    participants = CountField(help_text="Enrolled women whose evaluation consent is in force.")
    assessed = CountField(help_text="With both an intake and a later rating in the area.")
    progressed = CountField(help_text="Latest rating higher than at intake.")
    percent = share_field()
    mean_change = serializers.FloatField(
        allow_null=True,
        help_text="Mean of later minus baseline rating over those assessed, to two "
        "decimals; null when nobody is assessed or the count is suppressed.",
    )
    missing = DeploymentMissingSerializer()


class DeploymentOutcomesSerializer(serializers.Serializer[Any]):
    suppression_rule = serializers.CharField()
    focus_areas = DeploymentRowSerializer(
        many=True, help_text="One row per program and active focus area, programs by name."
    )


# --- the tables, suppressed as in the funder report --------------------------------------


def focus_area_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "area": a["area"],
            "slug": a["slug"],
            "progressed": shown(a["progressed"]),
            "assessed": shown(a["assessed"]),
            "percent": shown_share(a["progressed"], a["assessed"]) or None,
        }
        for a in report.get("focus_areas") or []
    ]


def involvement_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    at = (report.get("involvement") or {}).get("at") or {}
    codes = list(INVOLVEMENT_LABELS)
    codes += sorted({c for counts in at.values() for c in counts} - set(codes))
    rows = []
    for tp, counts in at.items():
        cells = shown_row({c: counts.get(c, 0) for c in codes})
        total = women_asked(report, tp)
        rows.append(
            {
                "timepoint": tp,
                "label": label(tp, TIMEPOINT_LABELS),
                "women_asked": shown(total),
                "answers": [
                    {
                        "code": c,
                        "label": label(c, INVOLVEMENT_LABELS),
                        "count": cells[c],
                        "percent": shown_share(cells[c], total) or None,
                    }
                    for c in codes
                ],
            }
        )
    return rows


def cycle_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for c in report.get("cycles") or []:
        enrolled = shown(c["enrolled"])
        graduated = shown(c.get("graduated") or 0)
        # A cost per person of a suppressed count would give the count back.
        rows.append(
            {
                "cycle": c["cycle"],
                "starts_on": c.get("starts_on"),
                "ends_on": c.get("ends_on"),
                "enrolled": enrolled,
                "graduated": graduated,
                "operating_cost": c.get("operating_cost"),
                "cost_per_participant": (
                    None if enrolled == SUPPRESSED else c.get("cost_per_participant")
                ),
                "cost_per_graduate": None
                if graduated == SUPPRESSED
                else c.get("cost_per_graduate"),
            }
        )
    return rows


def outcome_tables(report: dict[str, Any]) -> dict[str, Any]:
    cohort = report.get("cohort") or {}
    return {
        "program": report["program"],
        "cohort": {
            "description": cohort.get("description", ""),
            "cycles": cohort.get("cycles", []),
            "enrolled_from": cohort.get("enrolled_from"),
            "enrolled_to": cohort.get("enrolled_to"),
            "phase_reached": cohort.get("phase_reached"),
        },
        "suppression_rule": (report.get("disclosure") or {}).get("rule") or RULE,
        "focus_areas": focus_area_rows(report),
        "involvement": involvement_rows(report),
        "cycles": cycle_rows(report),
        "definitions": report.get("definitions") or [],
    }


# --- the resource --------------------------------------------------------------------------


def access_program_evaluation(request: Request, key: str) -> Program:
    """The program (by slug or id) whose evaluation she may see, as the page decides:
    403 for a role that never sees one, an audited 404 for a program out of reach."""
    try:
        program_id = uuid.UUID(key)
    except ValueError:
        return permissions.access_evaluation(request, key)
    if not permissions.sees_evaluations(request.user):
        raise PermissionDenied
    program = permissions.evaluated_programs(request.user).filter(pk=program_id).first()
    if program is None:
        refuse(request, object_id=key, object_type="programs.Program")
    return program


# A program's slug, or its id.
PROGRAM_KEY = "[-a-zA-Z0-9_]+"
COHORT_PARAMETERS = [
    OpenApiParameter(
        "cycles",
        {"type": "array", "items": {"type": "string", "format": "uuid"}},
        OpenApiParameter.QUERY,
        explode=True,
        description="Cycle ids; repeat for several. All cycles if left out.",
    ),
    OpenApiParameter(
        "enrolled_from",
        OpenApiTypes.DATE,
        description="Referred on or after. A program manager's only: refused (400) for "
        "anyone else, who sees whole cycles only.",
    ),
    OpenApiParameter(
        "enrolled_to",
        OpenApiTypes.DATE,
        description="Referred on or before. A program manager's only, as enrolled_from.",
    ),
    OpenApiParameter(
        "phase_reached",
        OpenApiTypes.INT,
        description="Reached at least this phase (its order). A program manager's only, "
        "as enrolled_from.",
    ),
    OpenApiParameter(
        "program",
        {"type": "string", "pattern": f"^{PROGRAM_KEY}$"},
        OpenApiParameter.PATH,
        description="The program's slug or id.",
    ),
]


class EvaluationViewSet(viewsets.ViewSet):
    lookup_field = "program"
    lookup_value_regex = PROGRAM_KEY

    @extend_schema(
        summary="The evaluation's outcome tables, under disclosure control",
        description="Progress by focus area, sex-work involvement by timepoint and costs "
        "by cycle, of the women who consented to the evaluation research. For a program "
        "manager: exact, any cohort, counts of 1 to 4 shown as <5. For an evaluator: "
        "published as in the funder report: whole cycles of at least 10 consenting "
        "women only (any other parameter is refused with a 400 naming it), every count "
        "perturbed by at most 2 and the same at every asking, then <5.",
        parameters=COHORT_PARAMETERS,
        responses={200: EvaluationOutcomesSerializer, **problems(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    @reads_replica
    def outcomes(self, request: Request, program: str | None = None) -> Response:
        found = access_program_evaluation(request, str(program))
        exact = permissions.sees_exact_figures(request.user)
        form = views.CohortForm(found, request.query_params, published=not exact)
        unknown = disclosure.unaccepted_parameters(request.query_params, {*form.fields, "format"})
        if unknown:
            raise serializers.ValidationError(unknown)
        if not form.is_valid():
            errors = form.errors.get_json_data()
            raise serializers.ValidationError(
                {field: [e["message"] for e in found] for field, found in errors.items()}
            )
        try:
            cohort = form.cohort()
        except CohortRefused as refused:
            raise serializers.ValidationError(refused.errors) from refused
        report = snapshots.count(cohort, published=not exact)
        record(
            Action.VIEW,
            request=request,
            subject=found,
            detail={"api": "evaluation.outcomes", "cohort": report.get("cohort")},
        )
        return Response(EvaluationOutcomesSerializer(outcome_tables(report)).data)

    @extend_schema(
        summary="Progress by focus area for every program she evaluates",
        description="For each program whose evaluation she may see (all its cycles) and "
        "each of its active focus areas: consenting women, assessed, progressed, "
        "percentage, mean change and missing counts, with small cells suppressed as in "
        "the funder report. For program managers and evaluators. It takes no parameters: "
        "any given is refused with a 400 naming it.",
        responses={200: DeploymentOutcomesSerializer, **problems(400, 401, 403)},
    )
    @action(detail=False, methods=["get"], url_path="deployment")
    @reads_replica
    def deployment(self, request: Request) -> Response:
        if not permissions.sees_evaluations(request.user):
            raise PermissionDenied
        unknown = sorted(set(request.query_params) - {"format"})
        if unknown:
            message = _("Not accepted here: this table takes no parameters.")
            raise serializers.ValidationError({name: [message] for name in unknown})
        rows = deployment.deployment_table(request.user, always_suppress=True)
        record(
            Action.VIEW,
            request=request,
            detail={
                "api": "evaluation.deployment",
                "programs": sorted({r["program"]["slug"] for r in rows}),
            },
        )
        rule = RULE if deployment.sees_small_cells(request.user) else disclosure.RULE
        return Response(
            DeploymentOutcomesSerializer({"suppression_rule": rule, "focus_areas": rows}).data
        )


def register(router: BaseRouter) -> None:
    router.register("evaluation", EvaluationViewSet, basename="evaluation")

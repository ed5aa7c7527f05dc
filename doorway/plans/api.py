"""Her plan in the API: the service plan, phase plans, goals and steps.

Reached through her enrolment (`Enrolment.objects.visible_to`). A plan holds her words
and the worker's private notes: a peer mentor or an evaluator never reads one (403),
an administrator reads it only through break-the-glass and never writes, as on the
pages. Changes go through `doorway.plans.actions`; a change to the service plan or a
goal needs the ETag it was read with (If-Match), so that two people editing the same
plan never silently overwrite each other.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from doorway.api.viewsets import (
    CHANGE_ERRORS,
    IF_MATCH,
    LIST_ERRORS,
    PROBLEM,
    READ_ERRORS,
    ListMixin,
    ReadOnlyRecordViewSet,
    RecordViewSet,
    RetrieveMixin,
    VersionedUpdateMixin,
)
from doorway.enrolments.access import access_enrolment
from doorway.enrolments.models import Enrolment
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may
from doorway.people.models import User
from doorway.plans import actions
from doorway.plans.models import Goal, PhasePlan, ServicePlan, Status, Step
from doorway.programs.models import FocusArea

WRITES = {"create", "update", "partial_update", "status"}


class PlanRecords(RecordViewSet):
    """Plans are read by the care team (and a glass-breaking administrator) only, and
    written by case managers and program managers."""

    def role_refusal(self, user: User) -> str:
        if not may(user, Can.READ_PLANS):
            return "Plans are read by the care team only."
        if self.action in WRITES and not may(user, Can.WRITE_PLANS):
            return "Your role does not write plans."
        return ""

    def visible_enrolments(self) -> QuerySet[Enrolment]:
        return Enrolment.objects.visible_to(self.caller())


def focus_area(pk: Any) -> FocusArea | None:
    """The focus area named, or None (the action then says to choose one of hers)."""
    return FocusArea.objects.filter(pk=pk).first() if pk is not None else None


# --- the service plan -----------------------------------------------------------------


class ServicePlanSerializer(serializers.ModelSerializer[ServicePlan]):
    enrolment = serializers.UUIDField(source="enrolment_id", read_only=True)
    participant = serializers.UUIDField(source="enrolment.participant_id", read_only=True)
    created_by = serializers.UUIDField(source="created_by_id", read_only=True)
    her_words = serializers.CharField(allow_blank=True, max_length=20000)
    private_notes = serializers.CharField(
        allow_blank=True,
        required=False,
        max_length=20000,
        help_text="For the care team only: never shown to a peer mentor, never printed.",
    )

    class Meta:
        model = ServicePlan
        fields = [
            "id",
            "enrolment",
            "participant",
            "agreed_on",
            "her_words",
            "private_notes",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class EnrolmentFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    enrolment = filters.UUIDFilter(field_name="enrolment")
    participant = filters.UUIDFilter(field_name="enrolment__participant")


class ServicePlanFilter(EnrolmentFilter):
    agreed_on = filters.DateFromToRangeFilter()

    class Meta:
        model = ServicePlan
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(responses={200: ServicePlanSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ServicePlanSerializer, **READ_ERRORS}),
    update=extend_schema(
        parameters=[IF_MATCH], responses={200: ServicePlanSerializer, **CHANGE_ERRORS}
    ),
    partial_update=extend_schema(
        parameters=[IF_MATCH], responses={200: ServicePlanSerializer, **CHANGE_ERRORS}
    ),
)
class ServicePlanViewSet(VersionedUpdateMixin, ListMixin, RetrieveMixin, PlanRecords):
    """The plan she agreed with her case manager: one per enrolment. It is agreed on
    the plan page; here it is read, and changed with the ETag it was read with."""

    serializer_class = ServicePlanSerializer
    filterset_class = ServicePlanFilter
    http_method_names = ["get", "put", "patch", "head", "options"]

    def base_queryset(self) -> QuerySet[Any]:
        return ServicePlan.objects.select_related("enrolment").order_by("-agreed_on", "pk")

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(enrolment__in=self.visible_enrolments())

    def participant_of(self, instance: Any) -> Any:
        return instance.enrolment.participant_id

    def perform_update(self, serializer: Any) -> None:
        plan = serializer.instance
        values = {
            "agreed_on": plan.agreed_on,
            "her_words": plan.her_words,
            "private_notes": plan.private_notes,
            **serializer.validated_data,
        }
        actions.save_service_plan(plan.enrolment, by=self.caller(), **values)


# --- phase plans ----------------------------------------------------------------------


class PhasePlanSerializer(serializers.ModelSerializer[PhasePlan]):
    enrolment = serializers.UUIDField(source="enrolment_id", read_only=True)
    participant = serializers.UUIDField(source="enrolment.participant_id", read_only=True)
    phase = serializers.UUIDField(source="phase_id", read_only=True)
    phase_name = serializers.CharField(source="phase.name", read_only=True)
    focus_areas = serializers.SerializerMethodField()
    recorded_by = serializers.UUIDField(source="recorded_by_id", read_only=True)

    class Meta:
        model = PhasePlan
        fields = [
            "id",
            "enrolment",
            "participant",
            "phase",
            "phase_name",
            "focus_areas",
            "agreed_on",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_focus_areas(self, phase_plan: PhasePlan) -> list[str]:
        return [str(area.pk) for area in phase_plan.focus_areas.all()]


class PhasePlanFilter(EnrolmentFilter):
    phase = filters.UUIDFilter(field_name="phase")

    class Meta:
        model = PhasePlan
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(responses={200: PhasePlanSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: PhasePlanSerializer, **READ_ERRORS}),
)
class PhasePlanViewSet(ReadOnlyRecordViewSet, PlanRecords):
    """The one to three focus areas worked on in each phase of her journey."""

    serializer_class = PhasePlanSerializer
    filterset_class = PhasePlanFilter

    def base_queryset(self) -> QuerySet[Any]:
        return (
            PhasePlan.objects.select_related("enrolment", "phase")
            .prefetch_related("focus_areas")
            .order_by("enrolment", "phase__order", "pk")
        )

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(enrolment__in=self.visible_enrolments())

    def participant_of(self, instance: Any) -> Any:
        return instance.enrolment.participant_id


# --- goals and steps ------------------------------------------------------------------


class StepSerializer(serializers.ModelSerializer[Step]):
    goal = serializers.UUIDField(source="goal_id", read_only=True)
    enrolment = serializers.UUIDField(source="goal.plan.enrolment_id", read_only=True)
    participant = serializers.UUIDField(source="goal.plan.enrolment.participant_id", read_only=True)

    class Meta:
        model = Step
        fields = [
            "id",
            "goal",
            "enrolment",
            "participant",
            "what",
            "target_on",
            "status",
            "done_on",
            "created_at",
        ]
        read_only_fields = fields


class GoalStepSerializer(serializers.ModelSerializer[Step]):
    class Meta:
        model = Step
        fields = ["id", "what", "target_on", "status", "done_on"]
        read_only_fields = fields


class GoalSerializer(serializers.ModelSerializer[Goal]):
    plan = serializers.UUIDField(source="plan_id", read_only=True)
    enrolment = serializers.UUIDField(source="plan.enrolment_id", read_only=True)
    participant = serializers.UUIDField(source="plan.enrolment.participant_id", read_only=True)
    focus_area = serializers.UUIDField(
        source="focus_area_id", help_text="A focus area of her program."
    )
    her_words = serializers.CharField(allow_blank=True, max_length=20000)
    target_on = serializers.DateField(allow_null=True, required=False)
    steps = GoalStepSerializer(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = [
            "id",
            "plan",
            "enrolment",
            "participant",
            "focus_area",
            "her_words",
            "status",
            "target_on",
            "order",
            "created_at",
            "steps",
        ]
        read_only_fields = ["id", "status", "order", "created_at"]


class GoalCreateSerializer(serializers.Serializer[Any]):
    enrolment = serializers.UUIDField()
    focus_area = serializers.UUIDField(help_text="A focus area of her program.")
    her_words = serializers.CharField(allow_blank=True, max_length=20000)
    target_on = serializers.DateField(allow_null=True, required=False)


class GoalStatusSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Status.choices)
    on = serializers.DateField(help_text="The day the status changed.")


class GoalFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    enrolment = filters.UUIDFilter(field_name="plan__enrolment")
    participant = filters.UUIDFilter(field_name="plan__enrolment__participant")
    status = filters.ChoiceFilter(choices=Status.choices)
    focus_area = filters.UUIDFilter(field_name="focus_area")
    target_on = filters.DateFromToRangeFilter()

    class Meta:
        model = Goal
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(responses={200: GoalSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: GoalSerializer, **READ_ERRORS}),
    update=extend_schema(parameters=[IF_MATCH], responses={200: GoalSerializer, **CHANGE_ERRORS}),
    partial_update=extend_schema(
        parameters=[IF_MATCH], responses={200: GoalSerializer, **CHANGE_ERRORS}
    ),
)
class GoalViewSet(VersionedUpdateMixin, ListMixin, RetrieveMixin, PlanRecords):
    """Her goals, in her words, with their steps."""

    serializer_class = GoalSerializer
    filterset_class = GoalFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def base_queryset(self) -> QuerySet[Any]:
        return (
            Goal.objects.select_related("plan__enrolment")
            .prefetch_related(
                Prefetch("steps", queryset=Step.objects.order_by("target_on", "created_at"))
            )
            .order_by("plan", "order", "created_at", "pk")
        )

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(plan__enrolment__in=self.visible_enrolments())

    def participant_of(self, instance: Any) -> Any:
        return instance.plan.enrolment.participant_id

    @extend_schema(
        request=GoalCreateSerializer,
        responses={201: GoalSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        description="Add a goal to her plan (agree her plan first). An enrolment out of "
        "reach: 404.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        shape = GoalCreateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        enrolment = access_enrolment(request, data["enrolment"])
        goal = actions.add_goal(
            enrolment,
            by=self.caller(),
            focus_area=focus_area(data["focus_area"]),
            her_words=data["her_words"],
            target_on=data.get("target_on"),
        )
        created = self.base_queryset().get(pk=goal.pk)
        response = Response(self.get_serializer(created).data, status=http.HTTP_201_CREATED)
        return self.with_etag(response, created)

    def perform_update(self, serializer: Any) -> None:
        goal = serializer.instance
        data = serializer.validated_data
        actions.edit_goal(
            goal,
            by=self.caller(),
            focus_area=focus_area(data["focus_area_id"])
            if "focus_area_id" in data
            else goal.focus_area,
            her_words=data.get("her_words", goal.her_words),
            target_on=data.get("target_on", goal.target_on),
        )

    @extend_schema(
        request=GoalStatusSerializer,
        parameters=[IF_MATCH],
        responses={200: GoalSerializer, **CHANGE_ERRORS},
        description="Move the goal to another status, dated. Needs the goal's ETag.",
    )
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: Any = None) -> Response:
        goal = self.get_object()
        shape = GoalStatusSerializer(data=request.data)
        with transaction.atomic():
            fresh = self.lock_current(goal)
            shape.is_valid(raise_exception=True)
            actions.change_goal_status(
                fresh,
                by=self.caller(),
                status=shape.validated_data["status"],
                on=shape.validated_data["on"],
            )
        goal = self.get_object()
        return self.with_etag(Response(self.get_serializer(goal).data), goal)


class StepFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    goal = filters.UUIDFilter(field_name="goal")
    enrolment = filters.UUIDFilter(field_name="goal__plan__enrolment")
    participant = filters.UUIDFilter(field_name="goal__plan__enrolment__participant")
    status = filters.ChoiceFilter(choices=Status.choices)
    target_on = filters.DateFromToRangeFilter()

    class Meta:
        model = Step
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(responses={200: StepSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: StepSerializer, **READ_ERRORS}),
)
class StepViewSet(ReadOnlyRecordViewSet, PlanRecords):
    """The steps toward her goals."""

    serializer_class = StepSerializer
    filterset_class = StepFilter

    def base_queryset(self) -> QuerySet[Any]:
        return Step.objects.select_related("goal__plan__enrolment").order_by(
            "goal", "target_on", "created_at", "pk"
        )

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(goal__plan__enrolment__in=self.visible_enrolments())

    def participant_of(self, instance: Any) -> Any:
        return instance.goal.plan.enrolment.participant_id


def register(router: BaseRouter) -> None:
    router.register("service-plans", ServicePlanViewSet, basename="service-plan")
    router.register("phase-plans", PhasePlanViewSet, basename="phase-plan")
    router.register("goals", GoalViewSet, basename="goal")
    router.register("steps", StepViewSet, basename="step")

"""/api/v1/ programs, phases, focus areas, cycles, partner agencies and cost lines.

- Configuration (programs, phases, focus areas, cycles) is read by the staff who work
  in the program and by its evaluators; administrators read their agency's programs.
- Partner agencies are read by the staff of the agency's programs; a program manager
  adds and changes them (If-Match), as on the program page.
- A program's settings for her information (how long a consent to share lasts, how
  long her record is kept, how often her safe-contact instructions are confirmed) are
  read with the program and changed (PATCH, If-Match) by its program managers.
- Cost lines are read by the program's managers and evaluators; its managers add,
  change (If-Match) and delete (If-Match) them through the actions the cost-line pages
  use. Other roles: 403; another program's: 404, audited. Money is a decimal string.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from doorway.api.problems import PreconditionRequired
from doorway.api.resources import (
    READ_PROBLEMS,
    UPDATE_PROBLEMS,
    WRITE_PROBLEMS,
    NamedSerializer,
    user_of,
)
from doorway.api.viewsets import (
    IF_MATCH,
    ListMixin,
    ReadOnlyRecordViewSet,
    RetrieveMixin,
    VersionedUpdateMixin,
    lock_matching,
)
from doorway.enrolments.api import StaffSerializer
from doorway.enrolments.safe_contact import check_days_changed
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may, programs_for
from doorway.people.models import User
from doorway.people.roles import configures_programs
from doorway.programs import actions
from doorway.programs.forms import MoneyField
from doorway.programs.models import (
    ContactCadence,
    CostCategory,
    CostLine,
    Cycle,
    FocusArea,
    PartnerAgency,
    Phase,
    Program,
    ServiceKind,
)
from doorway.web.configuration.views import programs_configured_by

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone


def programs_read_by(user: Someone) -> QuerySet[Program]:
    """The programs whose configuration she reads: those she works in or evaluates, and
    for an administrator those of her agency."""
    return programs_for(user, Can.READ_CONFIGURATION)


def programs_costed_for(user: Someone) -> QuerySet[Program]:
    """The programs whose costs she reads: those she manages or evaluates."""
    return programs_for(user, Can.SEE_EVALUATION)


class NoParticipant:
    """Configuration is about no participant: reads are audited without one."""

    def participant_of(self, instance: Any) -> Any:
        return None


def as_of_today() -> datetime.date:
    return timezone.localdate()


# --- programs, phases, focus areas, cycles ---------------------------------------------


class ProgramSerializer(serializers.ModelSerializer[Program]):
    agency = NamedSerializer(read_only=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "agency",
            "name",
            "slug",
            "description",
            "minimum_age",
            "caseload_limit",
            "code_prefix",
            *actions.INFORMATION_FIELDS,
        ]
        read_only_fields = fields


class InformationSettingsSerializer(serializers.ModelSerializer[Program]):
    """The settings a program manager changes: her information on her terms."""

    class Meta:
        model = Program
        fields = list(actions.INFORMATION_FIELDS)


class PhaseSerializer(serializers.ModelSerializer[Phase]):
    contact_cadence = serializers.ChoiceField(choices=ContactCadence.choices, read_only=True)

    class Meta:
        model = Phase
        fields = [
            "id",
            "program",
            "name",
            "order",
            "description",
            "expected_days",
            "contact_cadence",
            "requires_service_consent",
            "requires_eligibility",
            "retired",
        ]
        read_only_fields = fields


class FocusAreaSerializer(serializers.ModelSerializer[FocusArea]):
    class Meta:
        model = FocusArea
        fields = ["id", "program", "name", "slug", "description", "order", "retired"]
        read_only_fields = fields


class CycleSerializer(serializers.ModelSerializer[Cycle]):
    class Meta:
        model = Cycle
        fields = ["id", "program", "name", "starts_on", "ends_on"]
        read_only_fields = fields


class ByProgram(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    program = django_filters.UUIDFilter(field_name="program")
    retired = django_filters.BooleanFilter(field_name="retired")


class PhaseFilter(ByProgram):
    class Meta:
        model = Phase
        fields: list[str] = []


class FocusAreaFilter(ByProgram):
    class Meta:
        model = FocusArea
        fields: list[str] = []


class CycleFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    program = django_filters.UUIDFilter(field_name="program")
    running = django_filters.BooleanFilter(
        method="by_running", label="Still running (true: it has not ended) or ended (false)"
    )

    class Meta:
        model = Cycle
        fields: list[str] = []

    def by_running(self, queryset: QuerySet[Any], name: str, value: bool) -> Any:
        today = as_of_today()
        return queryset.filter(ends_on__gte=today) if value else queryset.filter(ends_on__lt=today)


def read_only_schema(serializer: type[serializers.BaseSerializer[Any]], what: str) -> Any:
    return extend_schema_view(
        list=extend_schema(
            summary=f"{what} you may read", responses={200: serializer(many=True), **READ_PROBLEMS}
        ),
        retrieve=extend_schema(
            summary=f"One of the {what.lower()}", responses={200: serializer, **READ_PROBLEMS}
        ),
    )


class ConfigurationViewSet(NoParticipant, ReadOnlyRecordViewSet):
    """Read-only configuration of the programs the caller reads."""

    program_path = "program"

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        programs = programs_read_by(self.request.user).values("pk")
        return queryset.filter(**{f"{self.program_path}__in": programs})


@read_only_schema(ProgramSerializer, "Programs")
@extend_schema_view(
    update=extend_schema(
        summary="Change a program's settings for her information (program managers)",
        request=InformationSettingsSerializer,
        responses={200: ProgramSerializer, **UPDATE_PROBLEMS},
    ),
    partial_update=extend_schema(
        summary="Change some of a program's settings for her information (program managers)",
        request=InformationSettingsSerializer,
        responses={200: ProgramSerializer, **UPDATE_PROBLEMS},
    ),
)
class ProgramViewSet(ConfigurationViewSet, VersionedUpdateMixin):
    queryset = Program.objects.select_related("agency").order_by("name")
    serializer_class = ProgramSerializer
    program_path = "pk"
    http_method_names = ["get", "put", "patch", "head", "options"]

    def role_refusal(self, user: User) -> str:
        if self.writes and not configures_programs(user):
            return "Only a program manager changes her program's settings."
        return ""

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.writes:
            # A change reaches only the programs she manages.
            return queryset.filter(pk__in=programs_configured_by(self.request.user).values("pk"))
        return super().reached(queryset)

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        # A change is read with its own serializer; the answer is the whole program.
        kwargs.setdefault("context", self.get_serializer_context())
        if "data" in kwargs:
            return InformationSettingsSerializer(*args, **kwargs)
        return ProgramSerializer(*args, **kwargs)

    def perform_update(self, serializer: Any) -> None:
        program = serializer.instance
        changed = actions.update_information_settings(
            program, by=user_of(self.request), **serializer.validated_data
        )
        if "safe_contact_check_days" in changed:
            check_days_changed(program)


@read_only_schema(PhaseSerializer, "Phases")
class PhaseViewSet(ConfigurationViewSet):
    queryset = Phase.objects.order_by("program", "retired", "order")
    serializer_class = PhaseSerializer
    filterset_class = PhaseFilter


@read_only_schema(FocusAreaSerializer, "Focus areas")
class FocusAreaViewSet(ConfigurationViewSet):
    queryset = FocusArea.objects.order_by("program", "retired", "order", "name")
    serializer_class = FocusAreaSerializer
    filterset_class = FocusAreaFilter


@read_only_schema(CycleSerializer, "Cycles")
class CycleViewSet(ConfigurationViewSet):
    queryset = Cycle.objects.order_by("program", "starts_on")
    serializer_class = CycleSerializer
    filterset_class = CycleFilter


# --- partner agencies --------------------------------------------------------------------


class PartnerSerializer(serializers.ModelSerializer[PartnerAgency]):
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceKind.choices),
        help_text="Kinds of service offered.",
    )

    class Meta:
        model = PartnerAgency
        fields = [
            "id",
            "agency",
            "name",
            "services",
            "contact_name",
            "phone",
            "email",
            "address",
            "active",
        ]
        read_only_fields = ["id", "agency"]
        extra_kwargs = {"active": {"required": False}}

    def validate_services(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class PartnerCreateSerializer(PartnerSerializer):
    program = serializers.PrimaryKeyRelatedField(
        queryset=Program.objects.none(),
        write_only=True,
        help_text="A program you manage: the partner joins its agency's partners.",
        error_messages={"does_not_exist": "Choose a program you manage."},
    )

    class Meta(PartnerSerializer.Meta):
        fields = [*PartnerSerializer.Meta.fields, "program"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            program: Any = self.fields["program"]
            program.queryset = programs_configured_by(request.user)


class PartnerFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    active = django_filters.BooleanFilter(field_name="active")
    service = django_filters.ChoiceFilter(
        choices=ServiceKind.choices, method="by_service", label="Offers this service"
    )

    class Meta:
        model = PartnerAgency
        fields: list[str] = []

    def by_service(self, queryset: QuerySet[Any], name: str, value: str) -> Any:
        # JSON containment is not on every database: the few partners are read here.
        ids = [p.pk for p in queryset if value in (p.services or [])]
        return queryset.filter(pk__in=ids)


@extend_schema_view(
    list=extend_schema(
        summary="Partner agencies of the agencies whose programs you read",
        responses={200: PartnerSerializer(many=True), **READ_PROBLEMS},
    ),
    retrieve=extend_schema(
        summary="One partner agency", responses={200: PartnerSerializer, **READ_PROBLEMS}
    ),
    create=extend_schema(
        summary="Add a partner agency (program managers)",
        request=PartnerCreateSerializer,
        responses={201: PartnerSerializer, **WRITE_PROBLEMS},
    ),
    update=extend_schema(
        summary="Change a partner agency (program managers)",
        request=PartnerSerializer,
        responses={200: PartnerSerializer, **UPDATE_PROBLEMS},
    ),
    partial_update=extend_schema(
        summary="Change some of a partner agency's details (program managers)",
        request=PartnerSerializer,
        responses={200: PartnerSerializer, **UPDATE_PROBLEMS},
    ),
)
class PartnerViewSet(NoParticipant, ListMixin, RetrieveMixin, VersionedUpdateMixin):
    queryset = PartnerAgency.objects.order_by("name")
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def role_refusal(self, user: User) -> str:
        if self.writes and not configures_programs(user):
            return "Only a program manager adds or changes partner agencies."
        return ""

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        user = self.request.user
        # A change reaches only the partners of the programs she manages.
        programs = programs_configured_by(user) if self.writes else programs_read_by(user)
        return queryset.filter(agency__in=programs.values("agency"))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PartnerCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        program = data.pop("program")
        active = data.pop("active", True)
        with transaction.atomic():
            partner = actions.add_partner(program, by=user_of(request), **data)
            if not active:
                actions.set_partner_active(partner, False, by=user_of(request))
        partner.refresh_from_db()
        response = Response(PartnerSerializer(partner).data, status=status.HTTP_201_CREATED)
        return self.with_etag(response, partner)

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        active = data.pop("active", None)
        partner = serializer.instance
        actions.update_partner(partner, by=user_of(self.request), **data)
        if active is not None:
            actions.set_partner_active(partner, active, by=user_of(self.request))


# --- cost lines --------------------------------------------------------------------------


class CostLineSerializer(serializers.ModelSerializer[CostLine]):
    category = serializers.ChoiceField(
        choices=CostCategory.choices,
        help_text="Evaluation costs are kept apart: they are not part of the operating cost.",
    )
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        coerce_to_string=True,
        help_text='Dollars and cents, as a decimal string: "1250.00".',
        error_messages=dict(MoneyField.default_error_messages),
    )
    recorded_by = StaffSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CostLine
        fields = [
            "id",
            "cycle",
            "category",
            "category_label",
            "description",
            "amount",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["id", "cycle", "recorded_by", "recorded_at"]
        extra_kwargs = {"description": {"required": False}}


class CostLineCreateSerializer(CostLineSerializer):
    cycle = serializers.PrimaryKeyRelatedField(
        queryset=Cycle.objects.none(),
        error_messages={"does_not_exist": "Choose a cycle of a program you manage."},
    )

    class Meta(CostLineSerializer.Meta):
        read_only_fields = ["id", "recorded_by", "recorded_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            cycle: Any = self.fields["cycle"]
            cycle.queryset = Cycle.objects.filter(
                program__in=programs_configured_by(request.user).values("pk")
            )


class CostLineFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    cycle = django_filters.UUIDFilter(field_name="cycle")
    program = django_filters.UUIDFilter(field_name="cycle__program")
    category = django_filters.ChoiceFilter(choices=CostCategory.choices)

    class Meta:
        model = CostLine
        fields: list[str] = []


COST_FIELDS = actions.COST_LINE_FIELDS


@extend_schema_view(
    list=extend_schema(
        summary="Cost lines of the cycles of programs you manage or evaluate",
        responses={200: CostLineSerializer(many=True), **READ_PROBLEMS},
    ),
    retrieve=extend_schema(
        summary="One cost line", responses={200: CostLineSerializer, **READ_PROBLEMS}
    ),
    create=extend_schema(
        summary="Add a cost line to a cycle (program managers)",
        request=CostLineCreateSerializer,
        responses={201: CostLineSerializer, **WRITE_PROBLEMS},
    ),
    update=extend_schema(
        summary="Change a cost line (program managers)",
        request=CostLineSerializer,
        responses={200: CostLineSerializer, **UPDATE_PROBLEMS},
    ),
    partial_update=extend_schema(
        summary="Change part of a cost line (program managers)",
        request=CostLineSerializer,
        responses={200: CostLineSerializer, **UPDATE_PROBLEMS},
    ),
    destroy=extend_schema(
        summary="Remove a cost line entered by mistake (program managers)",
        parameters=[IF_MATCH],
        responses={204: None, **UPDATE_PROBLEMS},
    ),
)
class CostLineViewSet(NoParticipant, ListMixin, RetrieveMixin, VersionedUpdateMixin):
    queryset = CostLine.objects.order_by("cycle__starts_on", "category", "description")
    serializer_class = CostLineSerializer
    filterset_class = CostLineFilter

    def role_refusal(self, user: User) -> str:
        if not may(user, Can.SEE_EVALUATION):
            return "Costs are seen by program managers and evaluators."
        if self.writes and not configures_programs(user):
            return "Only a program manager records costs."
        return ""

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        user = self.request.user
        programs = programs_configured_by(user) if self.writes else programs_costed_for(user)
        return queryset.filter(cycle__program__in=programs.values("pk")).select_related(
            "recorded_by"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CostLineCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        cycle = data.pop("cycle")
        line = actions.add_cost_line(cycle, by=user_of(request), **data)
        line = self.get_queryset().get(pk=line.pk)
        response = Response(self.get_serializer(line).data, status=status.HTTP_201_CREATED)
        return self.with_etag(response, line)

    def perform_update(self, serializer: Any) -> None:
        values = {k: v for k, v in serializer.validated_data.items() if k in COST_FIELDS}
        actions.update_cost_line(serializer.instance, by=user_of(self.request), **values)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        expected = request.headers.get("If-Match")
        if not expected:
            raise PreconditionRequired()
        line = self.get_object()
        with transaction.atomic():
            line = lock_matching(line, expected)
            actions.delete_cost_line(line, by=user_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: BaseRouter) -> None:
    router.register("programs", ProgramViewSet, basename="program")
    router.register("phases", PhaseViewSet, basename="phase")
    router.register("focus-areas", FocusAreaViewSet, basename="focus-area")
    router.register("cycles", CycleViewSet, basename="cycle")
    router.register("partner-agencies", PartnerViewSet, basename="partner-agency")
    router.register("cost-lines", CostLineViewSet, basename="cost-line")

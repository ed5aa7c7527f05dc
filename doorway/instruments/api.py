"""Assessments in the API: instrument definitions (read-only) and her administrations
with their answers.

- Definitions are read by those who configure instruments (their programs) and by
  those who record assessments (the programs they work in); a peer mentor or an
  evaluator is refused (403), as on the setup pages.
- Administrations are reached through her enrolment (`Enrolment.objects.visible_to`);
  a peer mentor never reads one (403), an administrator reads them only through
  break-the-glass and never records one. Free-text answers are case content.
- Recording one goes through the page's own form and `actions.record_administration`:
  the same checks, the same messages, errors keyed `answers.<item code>`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from doorway.api.viewsets import LIST_ERRORS, PROBLEM, READ_ERRORS, ReadOnlyRecordViewSet
from doorway.enrolments.access import access_enrolment
from doorway.enrolments.models import Enrolment
from doorway.instruments.actions import field_name, record_administration
from doorway.instruments.definition import definition_of, flat_items, load_version
from doorway.instruments.forms import AdministrationForm
from doorway.instruments.models import (
    Administration,
    Answer,
    Choice,
    Instrument,
    InstrumentVersion,
    Item,
    ItemKind,
    Section,
    Timepoint,
)
from doorway.people.capabilities import Action, may, programs_for
from doorway.people.models import User
from doorway.people.roles import sees_case_content
from doorway.programs.models import Program

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone


def _plain(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --- definitions ----------------------------------------------------------------------


class InstrumentChoiceDefinitionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    # A declared field is taken off the class by DRF: it does not shadow Field.label.
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like an attribute of DRF's Field
    score = serializers.FloatField(allow_null=True)


class InstrumentItemDefinitionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    prompt = serializers.CharField()
    help = serializers.CharField(allow_blank=True)
    required = serializers.BooleanField()  # type: ignore[assignment]  # a field named like an attribute of DRF's Field
    show_if = serializers.JSONField(allow_null=True)
    focus_area = serializers.CharField(allow_null=True, help_text="The focus area's slug.")
    min = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)
    steps = serializers.ListField(child=serializers.CharField(allow_blank=True))
    choices = InstrumentChoiceDefinitionSerializer(many=True)


class InstrumentSectionDefinitionSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    help = serializers.CharField(allow_blank=True)
    show_if = serializers.JSONField(allow_null=True)
    items = InstrumentItemDefinitionSerializer(many=True)


class InstrumentDefinitionSerializer(serializers.Serializer[Any]):
    sections = InstrumentSectionDefinitionSerializer(many=True)
    scores = serializers.ListField(child=serializers.DictField())
    rules = serializers.ListField(child=serializers.DictField())


class InstrumentVersionSummarySerializer(serializers.ModelSerializer[InstrumentVersion]):
    class Meta:
        model = InstrumentVersion
        fields = ["id", "number"]


class InstrumentSerializer(serializers.ModelSerializer[Instrument]):
    program = serializers.UUIDField(source="program_id", read_only=True)
    code = serializers.CharField(source="slug", read_only=True)
    timepoints = serializers.ListField(child=serializers.ChoiceField(choices=Timepoint.choices))
    versions = InstrumentVersionSummarySerializer(many=True, read_only=True)
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = Instrument
        fields = [
            "id",
            "program",
            "code",
            "name",
            "description",
            "timepoints",
            "versions",
            "current_version",
        ]

    @extend_schema_field(OpenApiTypes.UUID)
    def get_current_version(self, instrument: Instrument) -> Any:
        versions = list(instrument.versions.all())
        return max(versions, key=lambda v: v.number).pk if versions else None


class InstrumentVersionSerializer(serializers.ModelSerializer[InstrumentVersion]):
    instrument = serializers.UUIDField(source="instrument_id", read_only=True)
    instrument_code = serializers.CharField(source="instrument.slug", read_only=True)
    definition = serializers.SerializerMethodField()

    class Meta:
        model = InstrumentVersion
        fields = [
            "id",
            "instrument",
            "instrument_code",
            "number",
            "note",
            "created_at",
            "definition",
        ]

    @extend_schema_field(InstrumentDefinitionSerializer)
    def get_definition(self, version: InstrumentVersion) -> dict[str, Any]:
        return definition_of(version)


def definition_programs(user: Someone) -> QuerySet[Program]:
    """The programs whose instrument definitions `user` reads."""
    return programs_for(user, Action.READ_INSTRUMENTS)


def definitions_refusal(user: User) -> str:
    if not may(user, Action.READ_INSTRUMENTS):
        return "Instruments are read by the care team and those who set them up."
    return ""


class InstrumentFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    program = filters.UUIDFilter(field_name="program")
    code = filters.CharFilter(field_name="slug")

    class Meta:
        model = Instrument
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(responses={200: InstrumentSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: InstrumentSerializer, **READ_ERRORS}),
)
class InstrumentViewSet(ReadOnlyRecordViewSet):
    """Instruments of the programs you work in, with their versions."""

    serializer_class = InstrumentSerializer
    filterset_class = InstrumentFilter

    def role_refusal(self, user: User) -> str:
        return definitions_refusal(user)

    def base_queryset(self) -> QuerySet[Any]:
        return (
            Instrument.objects.select_related("program")
            .prefetch_related(
                Prefetch("versions", queryset=InstrumentVersion.objects.order_by("number"))
            )
            .order_by("program__name", "name", "pk")
        )

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(program__in=definition_programs(self.request.user))


class VersionFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    instrument = filters.UUIDFilter(field_name="instrument")
    code = filters.CharFilter(field_name="instrument__slug")

    class Meta:
        model = InstrumentVersion
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(responses={200: InstrumentVersionSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: InstrumentVersionSerializer, **READ_ERRORS}),
)
class InstrumentVersionViewSet(ReadOnlyRecordViewSet):
    """Each version's complete definition: sections, items, choices, scores, rules."""

    serializer_class = InstrumentVersionSerializer
    filterset_class = VersionFilter

    def role_refusal(self, user: User) -> str:
        return definitions_refusal(user)

    def base_queryset(self) -> QuerySet[Any]:
        # The same loading as `load_version`, for any number of versions.
        return (
            InstrumentVersion.objects.select_related("instrument__program")
            .prefetch_related(
                Prefetch("sections", queryset=Section.objects.order_by("order")),
                Prefetch(
                    "sections__items",
                    queryset=Item.objects.select_related("focus_area").order_by("order"),
                ),
                Prefetch("sections__items__choices", queryset=Choice.objects.order_by("order")),
            )
            .order_by("instrument__name", "instrument", "number")
        )

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(instrument__program__in=definition_programs(self.request.user))


# --- administrations ------------------------------------------------------------------


class AdministrationAnswerSerializer(serializers.Serializer[Any]):
    item = serializers.CharField(help_text="The item's code.")
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    value = serializers.JSONField(
        help_text="A choice's code, a list of codes, true or false, a number, a date "
        "(YYYY-MM-DD) or her words, by the item's kind."
    )


def answer_value(answer: Answer) -> Any:
    value = answer.value()
    if isinstance(value, Decimal):
        return _plain(value)
    if answer.item.kind == ItemKind.DATE and value is not None:
        return value.isoformat()
    return value


class AdministrationSerializer(serializers.ModelSerializer[Administration]):
    enrolment = serializers.UUIDField(source="enrolment_id", read_only=True)
    participant = serializers.UUIDField(source="enrolment.participant_id", read_only=True)
    instrument = serializers.UUIDField(source="version.instrument_id", read_only=True)
    instrument_code = serializers.CharField(source="version.instrument.slug", read_only=True)
    version = serializers.UUIDField(source="version_id", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    recorded_by = serializers.UUIDField(source="recorded_by_id", read_only=True)
    scores = serializers.DictField(child=serializers.FloatField(allow_null=True), read_only=True)
    rule_results = serializers.ListField(child=serializers.DictField(), read_only=True)
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Administration
        fields = [
            "id",
            "enrolment",
            "participant",
            "instrument",
            "instrument_code",
            "version",
            "version_number",
            "timepoint",
            "completed_on",
            "recorded_by",
            "recorded_at",
            "scores",
            "rule_results",
            "answers",
        ]
        read_only_fields = fields

    @extend_schema_field(AdministrationAnswerSerializer(many=True))
    def get_answers(self, administration: Administration) -> list[dict[str, Any]]:
        request = self.context.get("request")
        case_content = request is not None and sees_case_content(request.user)
        rows = sorted(
            administration.answers.all(), key=lambda a: (a.item.section.order, a.item.order)
        )
        return [
            {"item": a.item.code, "kind": a.item.kind, "value": answer_value(a)}
            for a in rows
            if case_content or a.item.kind != ItemKind.TEXT
        ]


class AdministrationCreateSerializer(serializers.Serializer[Any]):
    enrolment = serializers.UUIDField()
    instrument = serializers.UUIDField(
        help_text="The instrument; her answers are to its current version."
    )
    timepoint = serializers.ChoiceField(choices=Timepoint.choices)
    completed_on = serializers.DateField()
    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text="Her answers by item code: a choice's code, a list of codes (multiple "
        'choice), "yes"/"no" or true/false, a number, a 1-10 step, a date (YYYY-MM-DD) '
        "or her words.",
    )


def api_errors(errors: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """The form's and the action's errors, keyed by the request's fields: an item's
    under `answers.<code>`."""
    out: dict[str, list[str]] = {}
    for name, messages in errors.items():
        if name.startswith("item_"):
            key = f"answers.{name[len('item_') :]}"
        elif name == "__all__":
            key = "non_field_errors"
        else:
            key = name
        out.setdefault(key, []).extend(str(m) for m in messages)
    return out


def form_value(kind: str, value: Any) -> Any:
    """A JSON answer as the page's form would receive it; raises ValueError for a
    shape no form field takes."""
    if isinstance(value, dict):
        raise ValueError("Give a plain answer, not an object.")
    if isinstance(value, list):
        if kind != ItemKind.MULTIPLE_CHOICE:
            raise ValueError("Give one answer, not a list.")
        if any(isinstance(v, dict | list) for v in value):
            raise ValueError("Choose among the options.")
        return [str(v) for v in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def form_data(
    items: dict[str, dict[str, Any]], data: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    posted: dict[str, Any] = {
        "timepoint": data["timepoint"],
        "completed_on": data["completed_on"].isoformat(),
    }
    problems: dict[str, list[str]] = {}
    for code, value in data["answers"].items():
        item = items.get(code)
        if item is None:
            problems[f"answers.{code}"] = ["This instrument has no question with this code."]
            continue
        try:
            posted[field_name(code)] = form_value(item["kind"], value)
        except ValueError as wrong:
            problems[f"answers.{code}"] = [str(wrong)]
    return posted, problems


class AdministrationFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    enrolment = filters.UUIDFilter(field_name="enrolment")
    participant = filters.UUIDFilter(field_name="enrolment__participant")
    instrument = filters.CharFilter(
        field_name="version__instrument__slug", help_text="The instrument's code."
    )
    timepoint = filters.ChoiceFilter(choices=Timepoint.choices)
    completed_on = filters.DateFromToRangeFilter()

    class Meta:
        model = Administration
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(responses={200: AdministrationSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: AdministrationSerializer, **READ_ERRORS}),
)
class AdministrationViewSet(ReadOnlyRecordViewSet):
    """Her assessments: each time she answered an instrument, with scores and answers."""

    serializer_class = AdministrationSerializer
    filterset_class = AdministrationFilter

    def role_refusal(self, user: User) -> str:
        if not may(user, Action.READ_ASSESSMENTS):
            return "Assessments are read by the care team only."
        if self.action == "create" and not may(user, Action.RECORD_ASSESSMENTS):
            return "Your role does not record assessments."
        return ""

    def base_queryset(self) -> QuerySet[Any]:
        return (
            Administration.objects.select_related("enrolment", "version__instrument")
            .prefetch_related(
                Prefetch("answers", queryset=Answer.objects.select_related("item__section"))
            )
            .order_by("-completed_on", "-recorded_at", "pk")
        )

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(enrolment__in=Enrolment.objects.visible_to(self.caller()))

    def participant_of(self, instance: Any) -> Any:
        return instance.enrolment.participant_id

    @extend_schema(
        request=AdministrationCreateSerializer,
        responses={201: AdministrationSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        description="Record her answers to an instrument's current version. Checked as "
        "the page checks them: a value outside the scale or the options, a required "
        "question left unanswered, a date before her referral or in the future: 400, "
        "with the problems under `errors` (an item's under `answers.<code>`), and "
        "nothing saved. An enrolment out of reach: 404.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        shape = AdministrationCreateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        enrolment = access_enrolment(request, data["enrolment"])
        instrument = Instrument.objects.filter(
            pk=data["instrument"], program=enrolment.cycle.program_id
        ).first()
        version = instrument.current_version() if instrument is not None else None
        if version is None:
            raise exceptions.ValidationError(
                {"instrument": ["Choose an instrument of her program."]}
            )
        version = load_version(version.pk)
        definition = definition_of(version)
        posted, problems = form_data(flat_items(definition), data)
        if problems:
            raise exceptions.ValidationError(problems)
        form = AdministrationForm(posted, definition=definition)
        if not form.is_valid():
            raise exceptions.ValidationError(
                api_errors({name: [str(m) for m in errs] for name, errs in form.errors.items()})
            )
        try:
            administration = record_administration(
                enrolment,
                version,
                by=self.caller(),
                timepoint=form.cleaned_data["timepoint"],
                completed_on=form.cleaned_data["completed_on"],
                answers=form.answers,
            )
        except DjangoValidationError as refusal:
            raise exceptions.ValidationError(api_errors(refusal.message_dict)) from None
        created = self.base_queryset().get(pk=administration.pk)
        body = self.get_serializer(created).data
        return Response(body, status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    router.register("instruments", InstrumentViewSet, basename="instrument")
    router.register("instrument-versions", InstrumentVersionViewSet, basename="instrument-version")
    router.register("administrations", AdministrationViewSet, basename="administration")

"""/api/v1/enrolments/ (with their phase moves) and /api/v1/journey-events/.

Reach is `Enrolment.objects.visible_to`; what a role sees matches the enrolment page
(a peer mentor follows her through the phases: no referral, eligibility or reasons).
Phase moves go through the phase machine (`allowed_moves`, `make_move`) and nowhere
else; a move it refuses is a 400 problem whose detail says why, and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from doorway.api.problems import problem
from doorway.api.resources import (
    READ_PROBLEMS,
    WRITE_PROBLEMS,
    NamedSerializer,
    problems,
    user_of,
)
from doorway.api.viewsets import ListMixin, ReadOnlyRecordViewSet, RetrieveMixin
from doorway.enrolments.access import access_participant, enrolments_visible_to
from doorway.enrolments.actions import enrol
from doorway.enrolments.forms import (
    RegisterForm,
    case_managers_for,
    peer_mentors_for,
    staff_of,
)
from doorway.enrolments.models import (
    PHASE_EVENTS,
    Eligibility,
    Enrolment,
    EventKind,
    ExitReason,
    JourneyEvent,
    MoveRefused,
    ReferralSource,
)
from doorway.enrolments.permissions import undoes_moves
from doorway.enrolments.reach import enrolment_rule
from doorway.people import roles
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may
from doorway.people.models import User
from doorway.people.roles import Role
from doorway.programs.models import Cycle

# --- shared by the resources of participants, enrolments and programs ----------------


class StaffSerializer(serializers.Serializer[User]):
    """A member of staff, by her name only."""

    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)


def exit_reason_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=ExitReason.choices,
        allow_blank=True,
        read_only=True,
        help_text="How she left the program; empty while she is enrolled.",
    )


class PhaseBriefSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)
    order = serializers.IntegerField(read_only=True)


class ParticipantBriefSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(read_only=True)
    code = serializers.CharField(read_only=True)
    preferred_name = serializers.CharField(read_only=True)


class IntakeSerializer(serializers.ModelSerializer[Enrolment]):
    """How she came in and whether she is eligible: case content."""

    class Meta:
        model = Enrolment
        fields = [
            "referral_source",
            "referred_on",
            "eligibility",
            "eligibility_reason",
            "eligibility_decided_on",
        ]
        read_only_fields = fields


class EnrolmentSerializer(serializers.ModelSerializer[Enrolment]):
    """An enrolment as its page shows it to the caller. `intake` is null for roles that
    do not see case content (peer mentors)."""

    participant = ParticipantBriefSerializer(read_only=True)
    program = NamedSerializer(source="cycle.program", read_only=True)
    cycle = NamedSerializer(read_only=True)
    current_phase = PhaseBriefSerializer(
        read_only=True, help_text="The phase she is in; after an exit, the one she left from."
    )
    days_in_phase = serializers.SerializerMethodField()
    is_open = serializers.BooleanField(read_only=True)
    case_manager = StaffSerializer(read_only=True)
    peer_mentor = StaffSerializer(read_only=True, allow_null=True)
    intake = IntakeSerializer(source="*", read_only=True, allow_null=True)
    exit_reason = exit_reason_field()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "participant",
            "program",
            "cycle",
            "current_phase",
            "phase_started_on",
            "days_in_phase",
            "is_open",
            "exit_reason",
            "exited_on",
            "case_manager",
            "peer_mentor",
            "intake",
        ]
        read_only_fields = fields

    def get_days_in_phase(self, enrolment: Enrolment) -> int:
        return enrolment.days_in_phase()

    def to_representation(self, instance: Enrolment) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if not roles.sees_case_content(self.context["request"].user):
            data["intake"] = None
        return data


class EnrolmentCreateSerializer(serializers.Serializer[Any]):
    """Enrol a participant already registered in another cycle."""

    participant = serializers.UUIDField()
    cycle = serializers.PrimaryKeyRelatedField(
        queryset=Cycle.objects.none(),
        error_messages={"does_not_exist": "Choose a running cycle of a program you work in."},
    )
    referral_source = serializers.ChoiceField(choices=ReferralSource.choices)
    referred_on = serializers.DateField()
    case_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        error_messages={"does_not_exist": "Choose a case manager you may put her with."},
    )
    peer_mentor = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "Choose a peer mentor of your program."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and isinstance(request.user, User):
            # The same choices as the registration page.
            fields: Any = self.fields
            form_fields: Any = RegisterForm(user=request.user).fields
            fields["cycle"].queryset = form_fields["cycle"].queryset
            fields["case_manager"].queryset = case_managers_for(request.user)
            fields["peer_mentor"].queryset = peer_mentors_for(request.user)


class MoveSerializer(serializers.Serializer[Any]):
    """One thing that may happen next, as the phase machine offers it."""

    move = serializers.CharField(source="key", read_only=True, help_text="Send this to make it.")
    kind = serializers.ChoiceField(choices=EventKind.choices, read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]  # a field named like an attribute of DRF's Field
    to_phase = PhaseBriefSerializer(source="phase", read_only=True, allow_null=True)
    exit_reason = exit_reason_field()
    needs_reason = serializers.BooleanField(read_only=True)
    blocked_because = serializers.CharField(
        read_only=True, help_text="Why it cannot be made yet; empty when it can."
    )


class MoveRequestSerializer(serializers.Serializer[Any]):
    """One of `move` (a key from the list of moves), `to_phase` or `exit_reason`."""

    move = serializers.CharField(required=False, max_length=60)
    to_phase = serializers.UUIDField(required=False)
    exit_reason = serializers.ChoiceField(choices=ExitReason.choices, required=False)
    on = serializers.DateField(required=False, help_text="Effective date; today if left out.")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Needed to skip a phase, to exit and to reopen.",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        given = [name for name in ("move", "to_phase", "exit_reason") if data.get(name)]
        if len(given) != 1:
            raise serializers.ValidationError(
                "Say what happens next: one of move, to_phase or exit_reason."
            )
        return data

    def key(self) -> str:
        data = self.validated_data
        if data.get("to_phase"):
            return f"phase:{data['to_phase']}"
        if data.get("exit_reason"):
            return f"exit:{data['exit_reason']}"
        return str(data["move"])


class UndoRequestSerializer(serializers.Serializer[Any]):
    """The move to take back (the id of her last journey event) and why."""

    event = serializers.UUIDField(help_text="The journey event of the move or exit to undo.")
    reason = serializers.CharField(max_length=2000, help_text="Why the move is undone.")


class EligibilityRequestSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(
        choices=[
            (Eligibility.ELIGIBLE, Eligibility.ELIGIBLE.label),
            (Eligibility.NOT_ELIGIBLE, Eligibility.NOT_ELIGIBLE.label),
        ]
    )
    reason = serializers.CharField(
        max_length=2000, help_text="For example, which of the risk factors she has."
    )
    on = serializers.DateField(required=False, help_text="Decided on; today if left out.")


class AssignmentRequestSerializer(serializers.Serializer[Any]):
    case_manager = serializers.UUIDField()
    peer_mentor = serializers.UUIDField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        # The same choices as the assignment form on the enrolment page.
        enrolment = self.context["enrolment"]
        data = dict(data)
        errors = {}
        data["case_manager"] = (
            staff_of(enrolment, Role.CASE_MANAGER).filter(pk=data["case_manager"]).first()
        )
        if data["case_manager"] is None:
            errors["case_manager"] = ["Choose an active case manager of her program."]
        if data.get("peer_mentor"):
            data["peer_mentor"] = (
                staff_of(enrolment, Role.PEER_MENTOR).filter(pk=data["peer_mentor"]).first()
            )
            if data["peer_mentor"] is None:
                errors["peer_mentor"] = ["Choose an active peer mentor of her program."]
        if errors:
            raise serializers.ValidationError(errors)
        return data


ENROLMENT_IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The enrolment's ETag as you read it: the change is refused (412) when "
    "someone changed the enrolment since, and without it (428).",
)


class EnrolmentFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    program = django_filters.UUIDFilter(field_name="cycle__program")
    cycle = django_filters.UUIDFilter(field_name="cycle")
    phase = django_filters.UUIDFilter(field_name="current_phase", label="Current phase id")
    participant = django_filters.UUIDFilter(field_name="participant")
    case_manager = django_filters.UUIDFilter(field_name="case_manager")
    peer_mentor = django_filters.UUIDFilter(field_name="peer_mentor")
    open = django_filters.BooleanFilter(method="by_open", label="Open (true) or closed (false)")

    class Meta:
        model = Enrolment
        fields: list[str] = []

    def by_open(self, queryset: QuerySet[Any], name: str, value: bool) -> Any:
        return queryset.filter(exit_reason="") if value else queryset.exclude(exit_reason="")


@extend_schema_view(
    list=extend_schema(
        summary="Enrolments you reach",
        responses={200: EnrolmentSerializer(many=True), **READ_PROBLEMS},
    ),
    retrieve=extend_schema(
        summary="One enrolment", responses={200: EnrolmentSerializer, **READ_PROBLEMS}
    ),
)
class EnrolmentViewSet(ListMixin, RetrieveMixin):
    queryset = Enrolment.objects.all()
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter
    http_method_names = ["get", "post", "head", "options"]

    def role_refusal(self, user: User) -> str:
        if enrolment_rule(user) is None:
            return "Your role does not reach enrolments."
        if self.action == "create" and not roles.registers_participants(user):
            return "Only case managers and program managers enrol participants."
        if self.action == "moves" and not roles.moves_phases(user):
            return "Your role does not move participants between phases."
        if self.action == "eligibility" and not (
            roles.moves_phases(user) and roles.sees_case_content(user)
        ):
            return "Your role does not decide eligibility."
        if self.action == "assignment" and not roles.assigns_staff(user):
            return "Only a program manager assigns staff."
        if self.action == "undo" and not may(user, Can.UNDO_PHASE_MOVES):
            return "Your role does not undo phase moves."
        return ""

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return enrolments_visible_to(queryset, user_of(self.request)).select_related(
            "participant", "cycle__program", "current_phase", "case_manager", "peer_mentor"
        )

    def participant_of(self, instance: Any) -> Any:
        return instance.participant_id

    def with_etag(self, response: Response, instance: Any) -> Response:
        # For those who move her: to anyone else the version would only tell that
        # something they do not see (eligibility, reasons) changed.
        if roles.moves_phases(user_of(self.request)):
            return super().with_etag(response, instance)
        return response

    @extend_schema(
        summary="Enrol a registered participant in a cycle",
        request=EnrolmentCreateSerializer,
        responses={201: EnrolmentSerializer, **WRITE_PROBLEMS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = EnrolmentCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        participant = access_participant(request, data["participant"])
        enrolment = enrol(
            participant,
            cycle=data["cycle"],
            referral_source=data["referral_source"],
            referred_on=data["referred_on"],
            case_manager=data["case_manager"],
            peer_mentor=data.get("peer_mentor"),
            by=user_of(request),
        )
        created = self.get_queryset().get(pk=enrolment.pk)
        response = Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)
        return self.with_etag(response, created)

    @extend_schema(
        methods=["GET"],
        summary="The moves the phase machine allows now",
        request=None,
        responses={200: MoveSerializer(many=True), **READ_PROBLEMS},
        filters=False,
    )
    @extend_schema(
        methods=["POST"],
        summary="Make a phase move: the next phase, a skip, an exit or a reopening",
        description="A move the phase machine refuses (not allowed from where she is, "
        "blocked by a missing consent or eligibility, no reason given, a date in the "
        "future or before her last step) is a 400 problem whose detail says why; nothing "
        "is saved.",
        parameters=[ENROLMENT_IF_MATCH],
        request=MoveRequestSerializer,
        responses={200: EnrolmentSerializer, **problems(400, 401, 403, 404, 412, 428)},
        filters=False,
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def moves(self, request: Request, pk: Any = None) -> Response:
        enrolment = self.get_object()
        if request.method == "GET":
            self.audit_view(enrolment)
            return Response(MoveSerializer(enrolment.allowed_moves(), many=True).data)
        move = MoveRequestSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        return self.through_the_machine(
            request,
            enrolment,
            lambda e: e.make_move(
                move.key(),
                by=user_of(request),
                reason=move.validated_data["reason"],
                on=move.validated_data.get("on"),
            ),
        )

    @extend_schema(
        summary="Record the eligibility decision",
        description="Case and program managers. A decision the enrolment refuses (closed, "
        "no reason, a date in the future or before her last step) is a 400 problem whose "
        "detail says why; nothing is saved.",
        parameters=[ENROLMENT_IF_MATCH],
        request=EligibilityRequestSerializer,
        responses={200: EnrolmentSerializer, **problems(400, 401, 403, 404, 412, 428)},
        filters=False,
    )
    @action(detail=True, methods=["post"], pagination_class=None, filterset_class=None)
    def eligibility(self, request: Request, pk: Any = None) -> Response:
        enrolment = self.get_object()
        decision = EligibilityRequestSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        data = decision.validated_data
        return self.through_the_machine(
            request,
            enrolment,
            lambda e: e.decide_eligibility(
                data["decision"], by=user_of(request), reason=data["reason"], on=data.get("on")
            ),
        )

    @extend_schema(
        summary="Assign her case manager and peer mentor",
        description="Program managers, from the active staff of the program at her agency.",
        parameters=[ENROLMENT_IF_MATCH],
        request=AssignmentRequestSerializer,
        responses={200: EnrolmentSerializer, **problems(400, 401, 403, 404, 412, 428)},
        filters=False,
    )
    @action(detail=True, methods=["post"], pagination_class=None, filterset_class=None)
    def assignment(self, request: Request, pk: Any = None) -> Response:
        enrolment = self.get_object()
        chosen = AssignmentRequestSerializer(data=request.data, context={"enrolment": enrolment})
        chosen.is_valid(raise_exception=True)
        data = chosen.validated_data
        return self.through_the_machine(
            request,
            enrolment,
            lambda e: e.assign(
                case_manager=data["case_manager"],
                peer_mentor=data.get("peer_mentor"),
                by=user_of(request),
                reason=data["reason"],
            ),
        )

    @extend_schema(
        summary="Undo a phase move or an exit made by mistake",
        description="Her case manager or the program manager, with a reason, within a day "
        "of the move and while it is the last step of her journey and no record (a plan "
        "review it prompted) refers to it. The event stays on her journey, marked undone "
        "(kind `undone`, with `undone_kind`, who, when and why); her phase, or her place "
        "in the program, is put back. A refusal is a 400 problem whose detail says why; "
        "nothing is saved.",
        parameters=[ENROLMENT_IF_MATCH],
        request=UndoRequestSerializer,
        responses={200: EnrolmentSerializer, **problems(400, 401, 403, 404, 412, 428)},
        filters=False,
    )
    @action(detail=True, methods=["post"], pagination_class=None, filterset_class=None)
    def undo(self, request: Request, pk: Any = None) -> Response:
        enrolment = self.get_object()
        user = user_of(request)
        if not undoes_moves(user, enrolment):
            return problem(403, "Only her case manager or the program manager undoes a move.")
        asked = UndoRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        event = enrolment.events.filter(pk=asked.validated_data["event"]).first()
        if event is None:
            return problem(
                400,
                "No such step on her journey.",
                errors={"event": ["No such step on her journey."]},
            )
        return self.through_the_machine(
            request,
            enrolment,
            lambda e: e.undo(event, by=user, reason=asked.validated_data["reason"]),
        )

    def through_the_machine(
        self, request: Request, enrolment: Enrolment, change: Callable[[Enrolment], Any]
    ) -> Response:
        """Make `change` (one of the enrolment's own methods), after checking If-Match
        (428 without it, 412 if someone changed the enrolment since). A refusal is a 400
        problem saying why, and nothing is saved."""
        try:
            with transaction.atomic():
                # Locked and read again: the change saves the whole row.
                fresh = self.lock_current(enrolment)
                change(fresh)
        except MoveRefused as refusal:
            message = " ".join(refusal.messages)
            return problem(400, message, errors={"non_field_errors": refusal.messages})
        changed = self.get_object()
        self.audit_view(changed)
        return self.with_etag(Response(self.get_serializer(changed).data), changed)


# --- the timeline -----------------------------------------------------------------------


class JourneyEventSerializer(serializers.ModelSerializer[JourneyEvent]):
    """One step of her journey. `reason` is null for roles that do not see case content."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    recorded_by = StaffSerializer(read_only=True)
    reason = serializers.CharField(read_only=True, allow_null=True)
    exit_reason = exit_reason_field()
    undone_kind = serializers.ChoiceField(
        choices=EventKind.choices,
        allow_blank=True,
        read_only=True,
        help_text="What an undone move was (kind is then `undone`); empty otherwise.",
    )
    undone_by = StaffSerializer(read_only=True, allow_null=True)
    undo_reason = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = JourneyEvent
        fields = [
            "id",
            "enrolment",
            "kind",
            "kind_label",
            "from_phase_name",
            "to_phase_name",
            "exit_reason",
            "effective_on",
            "recorded_at",
            "recorded_by",
            "reason",
            "undone_kind",
            "undone_at",
            "undone_by",
            "undo_reason",
        ]
        read_only_fields = fields

    def to_representation(self, instance: JourneyEvent) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if not roles.sees_case_content(self.context["request"].user):
            data["reason"] = None
            data["undo_reason"] = None
        return data


class JourneyEventFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    enrolment = django_filters.UUIDFilter(field_name="enrolment")
    participant = django_filters.UUIDFilter(field_name="enrolment__participant")
    kind = django_filters.ChoiceFilter(choices=EventKind.choices)

    class Meta:
        model = JourneyEvent
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="Journey events (the timeline) of the enrolments you reach",
        responses={200: JourneyEventSerializer(many=True), **READ_PROBLEMS},
    ),
    retrieve=extend_schema(
        summary="One journey event", responses={200: JourneyEventSerializer, **READ_PROBLEMS}
    ),
)
class JourneyEventViewSet(ReadOnlyRecordViewSet):
    queryset = JourneyEvent.objects.all()
    serializer_class = JourneyEventSerializer
    filterset_class = JourneyEventFilter

    def role_refusal(self, user: User) -> str:
        if enrolment_rule(user) is None:
            return "Your role does not reach enrolments."
        return ""

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        user = user_of(self.request)
        visible = enrolments_visible_to(Enrolment.objects.all(), user).values("pk")
        events = queryset.filter(enrolment__in=visible)
        if not roles.sees_case_content(user):
            # A peer mentor follows her through the phases, as on the page.
            events = events.filter(kind__in=[*PHASE_EVENTS, EventKind.EXITED, EventKind.UNDONE])
        return events.select_related("enrolment", "recorded_by", "undone_by")

    def participant_of(self, instance: Any) -> Any:
        return instance.enrolment.participant_id


def register(router: BaseRouter) -> None:
    router.register("enrolments", EnrolmentViewSet, basename="enrolment")
    router.register("journey-events", JourneyEventViewSet, basename="journey-event")

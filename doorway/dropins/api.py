"""Drop-in sessions and groups in the API, and who came.

A session is reached through the programs one works in (`permissions.programs_for`); a woman
on its register through the one access rule (`Enrolment.objects.visible_to`), exactly
as on the attendance page: the attendees the caller reaches are named (preferred name
and code), the others are a bare count, and women without a record are a count too. A
peer mentor reaches, and so sees and marks, only the women assigned to her. Starting
sessions and marking attendance go through `doorway.dropins.actions`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from doorway.api.viewsets import LIST_ERRORS, PROBLEM, READ_ERRORS, ListMixin, RecordViewSet
from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.dropins import permissions, queries
from doorway.dropins.actions import count_anonymous, mark_attendance, start_session
from doorway.dropins.models import Attendance, GroupSession, SessionKind
from doorway.enrolments.models import Enrolment
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may
from doorway.people.models import User

WRITE_ERRORS = {400: PROBLEM, 403: PROBLEM, 404: PROBLEM}
WRITES = {"create", "attendance", "anonymous"}


class SessionSerializer(serializers.ModelSerializer[GroupSession]):
    program = serializers.UUIDField(source="program_id", read_only=True)
    facilitators = serializers.SerializerMethodField()
    created_by = serializers.UUIDField(source="created_by_id", read_only=True)
    attended = serializers.IntegerField(
        read_only=True, help_text="Women with a record who came (named or not to you)."
    )

    class Meta:
        model = GroupSession
        fields = [
            "id",
            "program",
            "kind",
            "held_on",
            "topic",
            "facilitators",
            "anonymous_walk_ins",
            "attended",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_facilitators(self, session: GroupSession) -> list[str]:
        return [str(person.pk) for person in session.facilitators.all()]


class SessionRegisterPersonSerializer(serializers.Serializer[Any]):
    enrolment = serializers.UUIDField()
    participant = serializers.UUIDField()
    preferred_name = serializers.CharField()
    code = serializers.CharField()
    present = serializers.BooleanField()
    walk_in = serializers.BooleanField(
        help_text="She came though she was not expected at this session."
    )


class SessionRegisterSerializer(serializers.Serializer[Any]):
    expected = SessionRegisterPersonSerializer(
        many=True,
        help_text="Women you reach who are expected (an open enrolment in the session's "
        "program), marked present or not. Empty for those who do not take attendance.",
    )
    walk_ins = SessionRegisterPersonSerializer(
        many=True, help_text="Women you reach who came though not expected."
    )
    others = serializers.IntegerField(help_text="Women who came whom you do not reach.")
    anonymous = serializers.IntegerField(help_text="Women who came without a record.")
    total = serializers.IntegerField()


class SessionDetailSerializer(SessionSerializer):
    register = serializers.SerializerMethodField()

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "register"]
        read_only_fields = fields

    @extend_schema_field(SessionRegisterSerializer)
    def get_register(self, session: GroupSession) -> dict[str, Any]:
        register: dict[str, Any] = self.context["register"]
        return register


class SessionCreateSerializer(serializers.Serializer[Any]):
    program = serializers.UUIDField(help_text="A program you work in.")
    kind = serializers.ChoiceField(choices=SessionKind.choices)
    held_on = serializers.DateField()
    topic = serializers.CharField(
        allow_blank=True,
        required=False,
        max_length=200,
        help_text="Required for a group. A subject, never a participant's name.",
    )
    facilitators = serializers.ListField(
        child=serializers.UUIDField(), required=False, help_text="Staff of the program."
    )


class AttendanceMarkSerializer(serializers.Serializer[Any]):
    enrolment = serializers.UUIDField(help_text="Her enrolment: someone you reach.")
    attended = serializers.BooleanField(
        default=True, help_text="The new state: false takes the mark back."
    )


class AnonymousWalkInSerializer(serializers.Serializer[Any]):
    change = serializers.ChoiceField(
        choices=[(1, "One more"), (-1, "One fewer")],
        help_text="Add (1) or take back (-1) one woman without a record.",
    )


def person(enrolment: Enrolment, present: set[Any], walk_ins: dict[Any, bool]) -> dict[str, Any]:
    return {
        "enrolment": enrolment.pk,
        "participant": enrolment.participant_id,
        "preferred_name": enrolment.participant.preferred_name,
        "code": enrolment.participant.code,
        "present": enrolment.pk in present,
        "walk_in": walk_ins.get(enrolment.pk, False),
    }


class SessionFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    program = filters.UUIDFilter(field_name="program")
    kind = filters.ChoiceFilter(choices=SessionKind.choices)
    held_on = filters.DateFromToRangeFilter()
    enrolment = filters.UUIDFilter(
        method="attended_by", help_text="Sessions she came to (someone you reach)."
    )
    participant = filters.UUIDFilter(
        method="attended_by", help_text="Sessions she came to (someone you reach)."
    )

    class Meta:
        model = GroupSession
        fields: list[str] = []

    def attended_by(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        # Only through the women the caller reaches: asking after anyone else finds
        # nothing, as if she never came.
        lookup = "pk" if name == "enrolment" else "participant"
        her = Enrolment.objects.visible_to(self.request.user).filter(**{lookup: value})
        came = Attendance.objects.filter(session=OuterRef("pk"), enrolment__in=her)
        return queryset.filter(Exists(came))


@extend_schema_view(
    list=extend_schema(responses={200: SessionSerializer(many=True), **LIST_ERRORS}),
)
class SessionViewSet(ListMixin, RecordViewSet):
    """Drop-ins and groups of the programs you work in, newest first."""

    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    http_method_names = ["get", "post", "head", "options"]

    def role_refusal(self, user: User) -> str:
        if self.action in WRITES and not may(user, Can.TAKE_ATTENDANCE):
            return "Your role does not take attendance."
        return ""

    def base_queryset(self) -> QuerySet[Any]:
        return queries.sessions_for_list(permissions.programs_for(self.caller())).order_by(
            "-held_on", "-created_at", "pk"
        )

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # `base_queryset` already holds only the sessions of her programs.
        return queryset.filter(program__in=permissions.programs_for(self.caller()))

    def audit_list(self, rows: list[Any]) -> None:
        record(
            Action.LIST,
            request=self.request,
            detail={
                "api": GroupSession._meta.label,
                "count": len(rows),
                "shown": [str(s.pk) for s in rows],
                **self.audit_via(),
            },
        )

    def register_response(self, session: GroupSession, code: int = http.HTTP_200_OK) -> Response:
        """The session with its register as the caller may see it; who was named is
        audited (never what was asked)."""
        user = self.caller()
        register = queries.register_for(
            session, user, with_expected=permissions.takes_attendance(user)
        )
        walk_ins = dict(session.attendances.values_list("enrolment_id", "walk_in"))
        record(
            Action.VIEW,
            request=self.request,
            subject=session,
            detail={
                "shown": [str(e.participant_id) for e in register.shown()],
                **self.audit_via(),
            },
        )
        fresh = self.base_queryset().get(pk=session.pk)
        context = {
            **self.get_serializer_context(),
            "register": {
                "expected": [person(e, register.present, walk_ins) for e in register.expected],
                "walk_ins": [person(e, register.present, walk_ins) for e in register.walk_ins],
                "others": register.others,
                "anonymous": register.anonymous,
                "total": register.total,
            },
        }
        return Response(SessionDetailSerializer(fresh, context=context).data, status=code)

    @extend_schema(responses={200: SessionDetailSerializer, **READ_ERRORS})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.register_response(self.get_object())

    @extend_schema(
        request=SessionCreateSerializer,
        responses={201: SessionDetailSerializer, **WRITE_ERRORS},
        description="Start a session in a program you work in.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        shape = SessionCreateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        user = self.caller()
        program = permissions.programs_for(user).filter(pk=data["program"]).first()
        if program is None:
            raise exceptions.ValidationError({"program": [_("Choose a program you work in.")]})
        wanted = set(data.get("facilitators", []))
        people = list(User.objects.filter(pk__in=wanted))
        if len(people) != len(wanted):
            raise exceptions.ValidationError(
                {"facilitators": [_("Choose facilitators among the program's staff.")]}
            )
        session = start_session(
            program,
            by=user,
            kind=data["kind"],
            held_on=data["held_on"],
            topic=data.get("topic", ""),
            facilitators=people,
        )
        return self.register_response(session, http.HTTP_201_CREATED)

    @extend_schema(
        request=AttendanceMarkSerializer,
        responses={200: SessionDetailSerializer, **WRITE_ERRORS},
        description="Mark her present, or take the mark back (`attended` is the new "
        "state, so sending it twice does no harm). She must be someone you reach or, for "
        "a case manager or program manager, a woman with an open enrolment in the "
        "session's program (another team's; the register then counts her among the "
        "others): anyone else answers 404.",
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: Any = None) -> Response:
        session = self.get_object()
        shape = AttendanceMarkSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        enrolment = permissions.access_markable(request, session, shape.validated_data["enrolment"])
        mark_attendance(
            session, enrolment, by=self.caller(), attended=shape.validated_data["attended"]
        )
        return self.register_response(session)

    @extend_schema(
        request=AnonymousWalkInSerializer,
        responses={200: SessionDetailSerializer, **WRITE_ERRORS},
        description="Count one more (or one fewer) woman who came without a record.",
    )
    @action(detail=True, methods=["post"])
    def anonymous(self, request: Request, pk: Any = None) -> Response:
        session = self.get_object()
        shape = AnonymousWalkInSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        count_anonymous(session, by=self.caller(), change=int(shape.validated_data["change"]))
        return self.register_response(session)


def register(router: BaseRouter) -> None:
    router.register("sessions", SessionViewSet, basename="session")

"""/api/v1/participants/ and /api/v1/consents/.

- Reach is the one access rule (`participants_visible_to`): a record out of reach
  answers 404, audited as refused, like a record that does not exist.
- What a role sees matches the pages: everyone who reaches her sees her code, preferred
  name, safety flags and the enrolments of hers they reach; her identifying fields
  (`identity`) only roles that see identity (`roles.sees_identity`; `null` for the
  others); consents only roles that see case content.
- Writes go through `doorway.people.actions` and `doorway.enrolments.actions`; a role
  that does not change records (peer mentor, evaluator, administrator) gets 403.
- A name never travels in a URL: search is `POST /participants/search/`, audited as a
  search with what it showed, never what was typed.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

import django_filters
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from doorway.api import rows
from doorway.api.problems import problem
from doorway.api.resources import (
    READ_PROBLEMS,
    UPDATE_PROBLEMS,
    WRITE_PROBLEMS,
    NamedSerializer,
    user_of,
)
from doorway.api.viewsets import PROBLEM, ListMixin, RetrieveMixin, VersionedUpdateMixin
from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.caseload import duplicates
from doorway.enrolments.access import access_participant, participants_visible_to
from doorway.enrolments.actions import register_participant
from doorway.enrolments.api import PhaseBriefSerializer, StaffSerializer, exit_reason_field
from doorway.enrolments.forms import RegisterForm, case_managers_for, peer_mentors_for
from doorway.enrolments.models import Enrolment, ReferralSource
from doorway.enrolments.reach import enrolment_rule
from doorway.enrolments.safe_contact import confirm_safe_contact, confirms_safe_contact
from doorway.enrolments.safe_contact import update_identity as update_her_identity
from doorway.participants.views import likely_duplicates
from doorway.people import actions, roles
from doorway.people.models import (
    Consent,
    ConsentKind,
    Participant,
    ParticipantQuerySet,
    SafetyFlag,
    SharingScope,
    User,
)
from doorway.programs.models import Cycle, PartnerAgency, ServiceKind

# --- participants -------------------------------------------------------------------


class SafetyFlagSerializer(serializers.ModelSerializer[SafetyFlag]):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = SafetyFlag
        fields = ["id", "kind", "kind_label", "note", "added_at"]
        read_only_fields = fields


class EnrolmentBriefSerializer(serializers.ModelSerializer[Enrolment]):
    """An enrolment as her record's page lists it."""

    program = NamedSerializer(source="cycle.program", read_only=True)
    cycle = NamedSerializer(read_only=True)
    current_phase = PhaseBriefSerializer(read_only=True)
    case_manager = StaffSerializer(read_only=True)
    peer_mentor = StaffSerializer(read_only=True, allow_null=True)
    exit_reason = exit_reason_field()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "program",
            "cycle",
            "current_phase",
            "phase_started_on",
            "exit_reason",
            "exited_on",
            "case_manager",
            "peer_mentor",
        ]
        read_only_fields = fields


class IdentitySerializer(serializers.Serializer[Participant]):
    """What identifies her: for roles that see identity only."""

    legal_name = serializers.CharField(max_length=200, allow_blank=True)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200),
        help_text="Other names she is known by.",
    )
    date_of_birth = serializers.DateField(allow_null=True)
    phone = serializers.CharField(max_length=40, allow_blank=True)
    email = serializers.EmailField(allow_blank=True)
    safe_contact = serializers.CharField(
        allow_blank=True, help_text="How and when it is safe to reach her, and what never to do."
    )
    safe_contact_confirmed_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The day she last confirmed her safe-contact instructions (null: never). "
        "New instructions are confirmed the day they are saved; "
        "POST .../confirm-safe-contact/ records that she confirmed them today.",
    )

    def to_representation(self, instance: Participant) -> dict[str, Any]:
        return {
            "legal_name": instance.legal_name or "",
            "aliases": instance.alias_list(),
            "date_of_birth": (
                instance.date_of_birth.isoformat() if instance.date_of_birth else None
            ),
            "phone": instance.phone or "",
            "email": instance.email or "",
            "safe_contact": instance.safe_contact or "",
            "safe_contact_confirmed_on": (
                instance.safe_contact_confirmed_on.isoformat()
                if instance.safe_contact_confirmed_on
                else None
            ),
        }

    def validate_date_of_birth(self, value: Any) -> Any:
        from django.utils import timezone

        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError(_("A date of birth cannot be in the future."))
        return value

    def validate_aliases(self, value: list[str]) -> list[str]:
        if any("\n" in alias or "\r" in alias for alias in value):
            raise serializers.ValidationError(_("Give each other name as its own item."))
        return [alias.strip() for alias in value if alias.strip()]


class ParticipantSummarySerializer(serializers.Serializer[Participant]):
    """A row of a list or a search, as the participant list shows it to everyone who
    reaches her: her identifying fields are on her record only (one audited read each),
    never in a list. `enrolments` are those the caller reaches.

    The fields declared are what the schema describes; a row is written with plain code
    (`doorway.api.rows`), the same values in the same order, once per row instead of
    field by field through the nested serializers."""

    id = serializers.UUIDField(read_only=True)
    code = serializers.CharField(read_only=True)
    preferred_name = serializers.CharField(read_only=True)
    registered_at = serializers.DateTimeField(read_only=True)
    safety_flags = SafetyFlagSerializer(many=True, read_only=True, source="active_flag_list")
    enrolments = EnrolmentBriefSerializer(many=True, read_only=True, source="visible_enrolments")

    def to_representation(self, instance: Participant) -> dict[str, Any]:
        writer: SummaryWriter | None = getattr(self, "_writer", None)
        if writer is None:
            # One for the serializer, so one for a list's rows (the child is shared).
            writer = self._writer = SummaryWriter()
        return writer.row(instance)


class SummaryWriter:
    """`ParticipantSummarySerializer`'s fields for one request's rows: the time zone,
    and the label of each kind of safety flag, looked up once."""

    def __init__(self) -> None:
        self.when = rows.datetime_writer()
        self.flag_labels: dict[str, str] = {}

    def row(self, participant: Participant) -> dict[str, Any]:
        flags = participant.active_flag_list  # type: ignore[attr-defined]  # the Prefetch's to_attr
        enrolments = participant.visible_enrolments  # type: ignore[attr-defined]  # the Prefetch's to_attr
        return {
            "id": str(participant.pk),
            "code": str(participant.code),
            "preferred_name": str(participant.preferred_name),
            "registered_at": self.when(participant.registered_at),
            "safety_flags": [self.flag(flag) for flag in flags],
            "enrolments": [self.enrolment(enrolment) for enrolment in enrolments],
        }

    def flag(self, flag: SafetyFlag) -> dict[str, Any]:
        label = self.flag_labels.get(flag.kind)
        if label is None:
            label = self.flag_labels[flag.kind] = str(flag.get_kind_display())
        return {
            "id": str(flag.pk),
            "kind": flag.kind,
            "kind_label": label,
            "note": str(flag.note),
            "added_at": self.when(flag.added_at),
        }

    def enrolment(self, enrolment: Enrolment) -> dict[str, Any]:
        phase = enrolment.current_phase
        return {
            "id": str(enrolment.pk),
            "program": rows.named(enrolment.cycle.program),
            "cycle": rows.named(enrolment.cycle),
            "current_phase": {"id": str(phase.pk), "name": str(phase.name), "order": phase.order},
            "phase_started_on": rows.date_text(enrolment.phase_started_on),
            "exit_reason": enrolment.exit_reason,
            "exited_on": rows.date_text(enrolment.exited_on),
            "case_manager": rows.staff(enrolment.case_manager),
            "peer_mentor": rows.staff(enrolment.peer_mentor),
        }


class ParticipantSerializer(ParticipantSummarySerializer):
    """Her record as the caller may see it. `identity` is null for roles that do not
    see identifying fields (peer mentors)."""

    identity = IdentitySerializer(source="*", read_only=True, allow_null=True)

    def to_representation(self, instance: Participant) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if roles.sees_identity(self.context["request"].user):
            data["identity"] = self.fields["identity"].to_representation(instance)
        else:
            data["identity"] = None
        return data


class NewIdentitySerializer(IdentitySerializer):
    """Her identifying fields at registration: each may be left out."""

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = super().get_fields()
        for name, field in fields.items():
            field.required = False
            field.default = {"aliases": list, "date_of_birth": None}.get(name, "")
        return fields


class ParticipantChangeSerializer(serializers.Serializer[Participant]):
    """A change to her identifying fields (PUT: all of them; PATCH: those sent)."""

    preferred_name = serializers.CharField(max_length=200)
    identity = IdentitySerializer()


class ParticipantCreateSerializer(serializers.Serializer[Any]):
    """A new participant and her first enrolment, as the registration page takes them."""

    preferred_name = serializers.CharField(
        max_length=200, help_text="The name she wants to be called."
    )
    identity = NewIdentitySerializer(required=False)
    cycle = serializers.PrimaryKeyRelatedField(
        queryset=Cycle.objects.none(),
        help_text="A running cycle of a program you work in.",
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
    confirm_duplicate = serializers.BooleanField(
        default=False,
        help_text="True once you have checked that she is not the likely match reported "
        "by an earlier answer (409).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and isinstance(request.user, User):
            # The same choices as the registration page.
            form = RegisterForm(user=request.user)
            fields: Any = self.fields
            fields["cycle"].queryset = form.fields["cycle"].queryset  # type: ignore[attr-defined]  # a ModelChoiceField, typed as a Field
            fields["case_manager"].queryset = case_managers_for(request.user)
            fields["peer_mentor"].queryset = peer_mentors_for(request.user)

    def validate_referred_on(self, value: Any) -> Any:
        from django.utils import timezone

        if value > timezone.localdate():
            raise serializers.ValidationError(_("The referral date cannot be in the future."))
        return value


def names_of(preferred_name: str, identity: dict[str, Any]) -> list[str]:
    names = [preferred_name, identity.get("legal_name") or "", *identity.get("aliases", [])]
    return [n.strip() for n in names if n and n.strip()]


def identity_values(data: dict[str, Any]) -> dict[str, Any]:
    """Validated input as `update_identity` / `register_participant` take it."""
    values: dict[str, Any] = {}
    if "preferred_name" in data:
        values["preferred_name"] = data["preferred_name"].strip()
    for name, value in (data.get("identity") or {}).items():
        if name == "aliases":
            values[name] = "\n".join(value)
        elif isinstance(value, str):
            values[name] = value.strip()
        else:
            values[name] = value
    return values


class ParticipantFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    """Filters through the enrolments of hers that the caller reaches, so that a filter
    never tells anything about an enrolment out of reach."""

    program = django_filters.UUIDFilter(method="through_enrolment", label="Program id")
    cycle = django_filters.UUIDFilter(method="through_enrolment", label="Cycle id")
    case_manager = django_filters.UUIDFilter(method="through_enrolment", label="Case manager id")
    peer_mentor = django_filters.UUIDFilter(method="through_enrolment", label="Peer mentor id")
    open = django_filters.BooleanFilter(
        method="with_open_enrolment", label="Has an open enrolment (true) or none (false)"
    )

    class Meta:
        model = Participant
        fields: list[str] = []

    def _visible_enrolments(self) -> QuerySet[Enrolment]:
        return Enrolment.objects.visible_to(user_of(self.request)).filter(
            participant=OuterRef("pk")
        )

    def through_enrolment(self, queryset: QuerySet[Any], name: str, value: uuid.UUID) -> Any:
        lookup = {"program": "cycle__program"}.get(name, name)
        return queryset.filter(Exists(self._visible_enrolments().filter(**{lookup: value})))

    def with_open_enrolment(self, queryset: QuerySet[Any], name: str, value: bool) -> Any:
        has_open = Exists(self._visible_enrolments().filter(exit_reason=""))
        return queryset.filter(has_open if value else ~has_open)


class SearchSerializer(serializers.Serializer[Any]):
    q = serializers.CharField(
        max_length=200,
        help_text="A participant code (or its beginning), or one of her names in full. "
        "Peer mentors find her by her preferred name only.",
    )


def duplicate_answer(found: duplicates.Lookup) -> Response:
    """409: a likely match among the records she may open, named. A match she may not
    open is never mentioned: it goes to her program manager."""
    return problem(
        status.HTTP_409_CONFLICT,
        f"A likely match already exists: {len(found.visible)} record(s) you can open. "
        "Check, then send the registration again with confirm_duplicate set to true "
        "if she is a different person. Nothing was saved.",
        likely_duplicates=[{"id": str(p.pk), "code": p.code} for p in found.visible],
    )


DUPLICATE = OpenApiResponse(
    description="A likely match exists among the records you can open (problem+json with "
    "`likely_duplicates`: the id and code of each). Nothing was saved; send again with "
    "`confirm_duplicate: true` if she is a different person. A match in a record you "
    "cannot open is never reported here; your program manager is told of it."
)


# What `SummaryWriter` reads of a woman and of each enrolment of hers (through the
# related rows it names); anything else would be read by a query of its own per row.
SUMMARY_COLUMNS = ("id", "code", "preferred_name", "registered_at")
_STAFF_COLUMNS = ("id", "username", "first_name", "last_name")
ENROLMENT_BRIEF_COLUMNS = (
    "id",
    "participant",
    "cycle__name",
    "cycle__program__name",
    "current_phase__name",
    "current_phase__order",
    "phase_started_on",
    "exit_reason",
    "exited_on",
    *(f"case_manager__{column}" for column in _STAFF_COLUMNS),
    *(f"peer_mentor__{column}" for column in _STAFF_COLUMNS),
)


@extend_schema_view(
    list=extend_schema(
        summary="Participants you reach",
        responses={200: ParticipantSummarySerializer(many=True), **READ_PROBLEMS},
    ),
    retrieve=extend_schema(
        summary="One participant's record",
        responses={200: ParticipantSerializer, **READ_PROBLEMS},
    ),
    update=extend_schema(
        summary="Change her identifying fields",
        request=ParticipantChangeSerializer,
        responses={200: ParticipantSerializer, **UPDATE_PROBLEMS},
    ),
    partial_update=extend_schema(
        summary="Change some of her identifying fields",
        request=ParticipantChangeSerializer,
        responses={200: ParticipantSerializer, **UPDATE_PROBLEMS},
    ),
)
class ParticipantViewSet(ListMixin, RetrieveMixin, VersionedUpdateMixin):
    queryset = Participant.objects.all()
    filterset_class = ParticipantFilter
    serializer_class = ParticipantSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    # A search by name is posted, so that the name never reaches a URL; it only reads.
    posted_reads = ("search",)

    def role_refusal(self, user: User) -> str:
        if enrolment_rule(user) is None:
            return "Your role does not reach participant records."
        if self.action == "create" and not roles.registers_participants(user):
            return "Only case managers and program managers register participants."
        if self.action in {"update", "partial_update"} and not (
            roles.changes_records(user) and roles.sees_identity(user)
        ):
            return "Your role can read this record but not change it."
        if self.action == "confirm_safe_contact" and not confirms_safe_contact(user):
            return (
                "Only those who see and change her details confirm her safe-contact instructions."
            )
        return ""

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        user = user_of(self.request)
        visible_enrolments = Enrolment.objects.visible_to(user).select_related(
            "cycle__program", "current_phase", "case_manager", "peer_mentor"
        )
        participants = participants_visible_to(user, cast(ParticipantQuerySet, queryset))
        if self.action in {"list", "search"}:
            # A row of a list shows neither her identifying fields nor an enrolment's
            # intake: they are not read, so not decrypted (seven encrypted fields a
            # woman, and her enrolments' eligibility reasons).
            participants = participants.only(*SUMMARY_COLUMNS)
            visible_enrolments = visible_enrolments.only(*ENROLMENT_BRIEF_COLUMNS)
        return participants.prefetch_related(
            Prefetch(
                "enrolments",
                queryset=visible_enrolments.order_by("exit_reason", "-referred_on"),
                to_attr="visible_enrolments",
            ),
            Prefetch(
                "safety_flags",
                queryset=SafetyFlag.objects.filter(removed_at__isnull=True),
                to_attr="active_flag_list",
            ),
        ).order_by("code")

    def participant_of(self, instance: Any) -> Any:
        return instance.pk

    def with_etag(self, response: Response, instance: Any) -> Response:
        # The version is for those who may change her record: to anyone else it would
        # only tell that her identifying fields changed.
        user = user_of(self.request)
        if roles.changes_records(user) and roles.sees_identity(user):
            return super().with_etag(response, instance)
        return response

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        # A change is read with its own serializer; the answer is her record.
        kwargs.setdefault("context", self.get_serializer_context())
        if "data" in kwargs and self.action in {"update", "partial_update"}:
            return ParticipantChangeSerializer(*args, **kwargs)
        if self.action in {"list", "search"}:
            return ParticipantSummarySerializer(*args, **kwargs)
        return ParticipantSerializer(*args, **kwargs)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().update(request, *args, **kwargs)
        # The answer shows her record as it now is: a read, audited like one.
        record(
            Action.VIEW,
            request=request,
            participant=self.kwargs["pk"],
            detail={"api": "people.Participant", **self.audit_via()},
        )
        return response

    def perform_update(self, serializer: Any) -> None:
        update_her_identity(
            serializer.instance,
            by=user_of(self.request),
            **identity_values(serializer.validated_data),
        )

    @extend_schema(
        summary="Record that she confirmed her safe-contact instructions today",
        description="Sets `identity.safe_contact_confirmed_on` to today (audited, by field "
        "name) and recomputes her caseload's due items. Case managers and program managers "
        "who reach her; the answer is her record.",
        request=None,
        responses={200: ParticipantSerializer, **WRITE_PROBLEMS},
    )
    @action(detail=True, methods=["post"], url_path="confirm-safe-contact")
    def confirm_safe_contact(self, request: Request, pk: Any = None) -> Response:
        participant = self.get_object()
        confirm_safe_contact(participant, by=user_of(request))
        participant = self.get_queryset().get(pk=participant.pk)
        # The answer shows her record as it now is: a read, audited like one.
        record(
            Action.VIEW,
            request=request,
            participant=participant,
            detail={"api": "people.Participant", **self.audit_via()},
        )
        body = ParticipantSerializer(participant, context=self.get_serializer_context()).data
        return self.with_etag(Response(body), participant)

    @extend_schema(
        summary="Register a participant, with her first enrolment",
        request=ParticipantCreateSerializer,
        responses={201: ParticipantSerializer, 409: DUPLICATE, 429: PROBLEM, **WRITE_PROBLEMS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = user_of(request)
        serializer = ParticipantCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        identity = data.get("identity") or {}
        cycle = data["cycle"]
        try:
            found = likely_duplicates(
                request,
                user=user,
                names=names_of(data["preferred_name"], identity),
                date_of_birth=identity.get("date_of_birth"),
                agency=cycle.program.agency,
            )
        except duplicates.TooManyLookups as refused:
            answer = problem(
                status.HTTP_429_TOO_MANY_REQUESTS,
                str(refused),
                retry_after=refused.wait_seconds,
            )
            answer["Retry-After"] = str(refused.wait_seconds)
            return answer
        if found and not data["confirm_duplicate"]:
            return duplicate_answer(found)
        enrolment = register_participant(
            cycle=cycle,
            by=user,
            referral_source=data["referral_source"],
            referred_on=data["referred_on"],
            case_manager=data["case_manager"],
            peer_mentor=data.get("peer_mentor"),
            **identity_values(data),
        )
        found.registered(enrolment.participant)
        participant = self.get_queryset().get(pk=enrolment.participant_id)
        body = ParticipantSerializer(participant, context=self.get_serializer_context()).data
        return self.with_etag(Response(body, status=status.HTTP_201_CREATED), participant)

    @extend_schema(
        summary="Find participants by code or name",
        description="The term is sent in the body, never in the address, and is not kept: "
        "the audit log records that a search was made and which records it showed. Pages "
        "with `?page=N`, posting the same body.",
        request=SearchSerializer,
        responses={200: ParticipantSummarySerializer(many=True), **READ_PROBLEMS},
        examples=[OpenApiExample("By code", value={"q": "EDH-4K7"}, request_only=True)],
        filters=False,
    )
    @action(detail=False, methods=["post"])
    def search(self, request: Request) -> Response:
        user = user_of(request)
        term = SearchSerializer(data=request.data)
        term.is_valid(raise_exception=True)
        query = term.validated_data["q"].strip()
        found = cast(ParticipantQuerySet, self.get_queryset()).search(
            query, preferred_only=not roles.sees_identity(user)
        )
        page = self.paginate_queryset(found)
        rows = list(page if page is not None else found)
        record(
            Action.SEARCH,
            request=request,
            detail={
                "api": "people.Participant",
                "count": len(rows),
                "shown": [str(p.pk) for p in rows],
                **self.audit_via(),
            },
        )
        data = self.get_serializer(rows, many=True).data
        if page is not None:
            return self.get_paginated_response(data)
        return Response(data)


# --- consents -----------------------------------------------------------------------


class ConsentSerializer(serializers.ModelSerializer[Consent]):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    partner = NamedSerializer(read_only=True, allow_null=True)
    recorded_by = StaffSerializer(read_only=True)
    withdrawn_by = StaffSerializer(read_only=True, allow_null=True)
    in_force = serializers.BooleanField(source="in_force_today", read_only=True)
    lapsed = serializers.BooleanField(read_only=True)
    # Declared so the schema says what DRF's read-only field leaves out: "" when a
    # partner is named, or for the other consents.
    partner_kind = serializers.ChoiceField(
        choices=ServiceKind.choices,
        allow_blank=True,
        read_only=True,
        help_text="For information sharing with any partner of this kind; empty otherwise.",
    )

    class Meta:
        model = Consent
        fields = [
            "id",
            "participant",
            "kind",
            "kind_label",
            "partner",
            "partner_kind",
            "scope",
            "given_on",
            "ends_on",
            "in_force",
            "lapsed",
            "recorded_by",
            "recorded_at",
            "withdrawn_on",
            "withdrawn_by",
            "withdrawal_note",
        ]
        read_only_fields = fields


class ConsentCreateSerializer(serializers.Serializer[Any]):
    participant = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ConsentKind.choices)
    partner = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="For information sharing: the partner she agrees to share with, or partner_kind.",
    )
    partner_kind = serializers.ChoiceField(
        choices=ServiceKind.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="For information sharing with any partner of this kind, none named.",
    )
    scope = serializers.ListField(
        child=serializers.ChoiceField(choices=SharingScope.choices),
        required=False,
        default=list,
        help_text="For information sharing, required: what may be shared (at least one).",
    )
    given_on = serializers.DateField()
    ends_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "For information sharing: the day it lapses, after given_on and at most five "
            "years later; omitted, her program's default length (Program.consent_months)."
        ),
    )


class ConsentWithdrawSerializer(serializers.Serializer[Any]):
    on = serializers.DateField(help_text="The day the consent stops.")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ConsentFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    participant = django_filters.UUIDFilter(field_name="participant")
    kind = django_filters.ChoiceFilter(choices=ConsentKind.choices)
    partner = django_filters.UUIDFilter(field_name="partner")

    class Meta:
        model = Consent
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="Consents of the participants you reach",
        responses={200: ConsentSerializer(many=True), **READ_PROBLEMS},
    ),
    retrieve=extend_schema(
        summary="One consent", responses={200: ConsentSerializer, **READ_PROBLEMS}
    ),
)
class ConsentViewSet(ListMixin, RetrieveMixin):
    queryset = Consent.objects.all()
    serializer_class = ConsentSerializer
    filterset_class = ConsentFilter
    http_method_names = ["get", "post", "head", "options"]

    def role_refusal(self, user: User) -> str:
        if enrolment_rule(user) is None or not roles.sees_case_content(user):
            return "Consents are case content, which your role does not see."
        if self.writes and not roles.changes_records(user):
            return "Your role can read consents but not record them."
        return ""

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        visible = participants_visible_to(user_of(self.request)).values("pk")
        return queryset.filter(participant__in=visible).select_related(
            "partner", "recorded_by", "withdrawn_by"
        )

    def participant_of(self, instance: Any) -> Any:
        return instance.participant_id

    @extend_schema(
        summary="Record a consent she gave",
        request=ConsentCreateSerializer,
        responses={201: ConsentSerializer, **WRITE_PROBLEMS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ConsentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        participant = access_participant(request, data["participant"])
        partner = None
        if data.get("partner"):
            partner = PartnerAgency.objects.filter(
                pk=data["partner"], agency=participant.agency_id, active=True
            ).first()
            if partner is None:
                raise serializers.ValidationError(
                    {"partner": ["Choose an active partner agency of her agency."]}
                )
        sharing = data["kind"] == ConsentKind.INFORMATION_SHARING
        consent = actions.give_consent(
            participant,
            kind=data["kind"],
            partner=partner,
            partner_kind=data["partner_kind"],
            # Stated by the client, for information sharing: never everything by omission.
            scope=data["scope"] if sharing else (data["scope"] or None),
            given_on=data["given_on"],
            ends_on=data["ends_on"],
            by=user_of(request),
        )
        body = ConsentSerializer(self.get_queryset().get(pk=consent.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record that she withdrew a consent",
        request=ConsentWithdrawSerializer,
        responses={200: ConsentSerializer, **WRITE_PROBLEMS},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        consent = self.get_object()
        serializer = ConsentWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.withdraw_consent(
            consent,
            on=serializer.validated_data["on"],
            note=serializer.validated_data["note"],
            by=user_of(request),
        )
        return Response(ConsentSerializer(self.get_object()).data)


def register(router: BaseRouter) -> None:
    router.register("participants", ParticipantViewSet, basename="participant")
    router.register("consents", ConsentViewSet, basename="consent")

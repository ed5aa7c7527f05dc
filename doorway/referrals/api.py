"""Referrals to partner agencies in the API, with their dated history.

Reached through her enrolment (`Enrolment.objects.visible_to`). A referral says where
she is getting help: case content, so a peer mentor or an evaluator never reads one
(403), and an administrator reads them only through break-the-glass and never writes,
as on the pages. Making one and recording its next step go through
`doorway.referrals.actions`, which enforce her consent to share her information with
the partner exactly as the pages do. A next step needs the referral's ETag (If-Match).
A link for the partner (`doorway.referrals.links`) is made and revoked here by whoever
may write the referral, as on its page; the made link's address is in the answer to
its making only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from doorway.api.viewsets import IF_MATCH, LIST_ERRORS, PROBLEM, READ_ERRORS, ReadOnlyRecordViewSet
from doorway.enrolments.access import access_enrolment
from doorway.enrolments.models import Enrolment
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may
from doorway.people.models import User
from doorway.programs.models import PartnerAgency
from doorway.referrals.actions import MAX_NOTE, make_referral, update_referral
from doorway.referrals.links import make_link, revoke_link
from doorway.referrals.models import (
    LINK_STATES,
    SERVICE_KINDS,
    PartnerLink,
    Referral,
    ReferralStatus,
    ReferralUpdate,
)

WRITES = {"create", "updates", "links", "revoke_link"}


class PartnerLinkSerializer(serializers.ModelSerializer[PartnerLink]):
    created_by = serializers.UUIDField(source="created_by_id", read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = PartnerLink
        fields = [
            "id",
            "created_by",
            "created_at",
            "expires_at",
            "state",
            "opened_count",
            "last_opened_at",
            "answered_at",
            "revoked_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=list(LINK_STATES)))
    def get_state(self, link: PartnerLink) -> str:
        return link.state()


class PartnerLinkMadeSerializer(PartnerLinkSerializer):
    url = serializers.SerializerMethodField(
        help_text="The link for the partner: shown in this answer only, never again."
    )

    class Meta(PartnerLinkSerializer.Meta):
        fields = [*PartnerLinkSerializer.Meta.fields, "url"]
        read_only_fields = fields

    def get_url(self, link: PartnerLink) -> str:
        return str(self.context["url"])


class ReferralUpdateSerializer(serializers.ModelSerializer[ReferralUpdate]):
    recorded_by = serializers.UUIDField(source="recorded_by_id", read_only=True)
    via_link = serializers.UUIDField(
        source="via_link_id",
        read_only=True,
        allow_null=True,
        help_text="The partner's own answer through this link (none: staff recorded it).",
    )

    class Meta:
        model = ReferralUpdate
        fields = ["id", "status", "dated_on", "note", "recorded_by", "recorded_at", "via_link"]
        read_only_fields = fields


class ReferralSerializer(serializers.ModelSerializer[Referral]):
    enrolment = serializers.UUIDField(source="enrolment_id", read_only=True)
    participant = serializers.UUIDField(source="enrolment.participant_id", read_only=True)
    partner = serializers.UUIDField(source="partner_id", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    made_by = serializers.UUIDField(source="made_by_id", read_only=True)
    next_statuses = serializers.SerializerMethodField()
    updates = ReferralUpdateSerializer(many=True, read_only=True)
    links = PartnerLinkSerializer(many=True, read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "enrolment",
            "participant",
            "partner",
            "partner_name",
            "service_kind",
            "shares_information",
            "made_on",
            "made_by",
            "status",
            "status_on",
            "next_statuses",
            "created_at",
            "updates",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=ReferralStatus.choices))
    )
    def get_next_statuses(self, referral: Referral) -> list[str]:
        return [str(s) for s in referral.next_statuses()]


class ReferralCreateSerializer(serializers.Serializer[Any]):
    enrolment = serializers.UUIDField()
    partner = serializers.UUIDField(help_text="One of her agency's active partners.")
    service_kind = serializers.ChoiceField(choices=SERVICE_KINDS)
    shares_information = serializers.BooleanField(
        default=False,
        help_text="Her information goes to the partner: needs her consent to share with "
        "that partner, in force on the referral's date and today.",
    )
    made_on = serializers.DateField()
    note = serializers.CharField(allow_blank=True, required=False, max_length=MAX_NOTE)


class ReferralNextStepSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    dated_on = serializers.DateField()
    note = serializers.CharField(allow_blank=True, required=False, max_length=MAX_NOTE)


class ReferralFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    enrolment = filters.UUIDFilter(field_name="enrolment")
    participant = filters.UUIDFilter(field_name="enrolment__participant")
    status = filters.ChoiceFilter(choices=ReferralStatus.choices)
    partner = filters.UUIDFilter(field_name="partner")
    service_kind = filters.ChoiceFilter(choices=SERVICE_KINDS)
    made_on = filters.DateFromToRangeFilter()

    class Meta:
        model = Referral
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(responses={200: ReferralSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ReferralSerializer, **READ_ERRORS}),
)
class ReferralViewSet(ReadOnlyRecordViewSet):
    """Her referrals, newest first, each with its dated steps."""

    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter

    def role_refusal(self, user: User) -> str:
        if not may(user, Can.READ_REFERRALS):
            return "Referrals are seen by the care team only."
        if self.action in WRITES and not may(user, Can.MAKE_REFERRALS):
            return "Your role does not make referrals."
        return ""

    def base_queryset(self) -> QuerySet[Any]:
        return (
            Referral.objects.select_related("enrolment", "partner")
            .prefetch_related(
                Prefetch(
                    "updates", queryset=ReferralUpdate.objects.order_by("dated_on", "recorded_at")
                ),
                Prefetch("links", queryset=PartnerLink.objects.order_by("-created_at")),
            )
            .order_by("-made_on", "-created_at", "pk")
        )

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(enrolment__in=Enrolment.objects.visible_to(self.caller()))

    def participant_of(self, instance: Any) -> Any:
        return instance.enrolment.participant_id

    @extend_schema(
        request=ReferralCreateSerializer,
        responses={201: ReferralSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        description="Refer her to a partner agency. Sharing her information needs her "
        "consent to share with that partner (400 under `shares_information` otherwise). "
        "An enrolment out of reach: 404.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        shape = ReferralCreateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = shape.validated_data
        enrolment = access_enrolment(request, data["enrolment"])
        referral = make_referral(
            enrolment,
            by=self.caller(),
            partner=PartnerAgency.objects.filter(pk=data["partner"]).first(),
            service_kind=data["service_kind"],
            shares_information=data["shares_information"],
            made_on=data["made_on"],
            note=data.get("note", ""),
        )
        created = self.base_queryset().get(pk=referral.pk)
        response = Response(self.get_serializer(created).data, status=http.HTTP_201_CREATED)
        return self.with_etag(response, created)

    @extend_schema(
        request=ReferralNextStepSerializer,
        parameters=[IF_MATCH],
        responses={
            200: ReferralSerializer,
            400: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            412: PROBLEM,
            428: PROBLEM,
        },
        description="Record the referral's next step (see `next_statuses`), dated. After "
        "she withdraws her consent to share with the partner, a step that keeps the "
        "partner working with her information is refused; closing it stays possible.",
    )
    @action(detail=True, methods=["post"])
    def updates(self, request: Request, pk: Any = None) -> Response:
        referral = self.get_object()
        shape = ReferralNextStepSerializer(data=request.data)
        with transaction.atomic():
            fresh = self.lock_current(referral)
            shape.is_valid(raise_exception=True)
            update_referral(
                fresh,
                by=self.caller(),
                status=shape.validated_data["status"],
                dated_on=shape.validated_data["dated_on"],
                note=shape.validated_data.get("note", ""),
            )
        referral = self.get_object()
        return self.with_etag(Response(self.get_serializer(referral).data), referral)

    @extend_schema(
        request=None,
        responses={201: PartnerLinkMadeSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        description="Make a one-time link for the referral's partner to read what her "
        "consent allows and answer (accept, decline with a reason, confirm she attended) "
        "without an account. Its `url` is in this answer only; send it through the "
        "agency's own channel. Refused (400) when the partner has nothing to answer or a "
        "referral that shares her information has no consent in force.",
    )
    @action(detail=True, methods=["post"])
    def links(self, request: Request, pk: Any = None) -> Response:
        referral = self.get_object()
        try:
            link, token = make_link(referral, by=self.caller())
        except ValidationError as refusal:
            raise ValidationError({"links": refusal.messages}) from refusal
        url = request.build_absolute_uri(reverse("partner_link", args=[token]))
        data = PartnerLinkMadeSerializer(link, context={"url": url}).data
        return Response(data, status=http.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: PartnerLinkSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        description="Revoke a link of this referral: from now on it shows nothing.",
    )
    @action(detail=True, methods=["post"], url_path=r"links/(?P<link_id>[0-9a-f-]{36})/revoke")
    def revoke_link(self, request: Request, pk: Any = None, link_id: Any = None) -> Response:
        referral = self.get_object()
        link = get_object_or_404(PartnerLink.objects.filter(referral=referral), pk=link_id)
        link.referral = referral
        revoke_link(link, by=self.caller())
        link.refresh_from_db()
        return Response(PartnerLinkSerializer(link).data)


def register(router: BaseRouter) -> None:
    router.register("referrals", ReferralViewSet, basename="referral")

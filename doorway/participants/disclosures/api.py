"""GET /api/v1/participants/{participant_id}/disclosures/: her disclosure log.

The same rules as the page (`doorway.participants.disclosures.views`): a role that does
not see case content (a peer mentor, an evaluator) gets 403 before any record is looked
up; a record out of reach answers 404, audited as refused; the read is audited as a
list naming her. Newest first, paged like every list.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.routers import BaseRouter

from doorway.api.resources import READ_PROBLEMS, NamedSerializer
from doorway.api.viewsets import ListMixin
from doorway.disclosures import permissions
from doorway.disclosures.models import Channel, Disclosure
from doorway.enrolments.access import access_participant
from doorway.enrolments.api import StaffSerializer
from doorway.enrolments.reach import enrolment_rule
from doorway.people.models import User


class DisclosureConsentSerializer(serializers.Serializer[Any]):
    """The consent it left under."""

    id = serializers.UUIDField(read_only=True)
    given_on = serializers.DateField(read_only=True)
    ends_on = serializers.DateField(read_only=True, allow_null=True)
    withdrawn_on = serializers.DateField(read_only=True, allow_null=True)
    shared_with = serializers.CharField(
        source="recipient_label", read_only=True, help_text="The partner, or kind of partner."
    )
    scope = serializers.ListField(child=serializers.CharField(), read_only=True)


class DisclosureSerializer(serializers.ModelSerializer[Disclosure]):
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    what = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="What left, as keys: a consent's scope (contact_details, assessment, "
        "plan) or what an export or a print holds about her (participant_code, "
        "preferred_name, phase, caseload_group, due_items, contacts, attendance).",
    )
    what_labels = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The same, in words."
    )
    partner = NamedSerializer(read_only=True, allow_null=True)
    recipient = serializers.CharField(
        source="recipient_label",
        read_only=True,
        help_text="To whom: the partner agency, or who else received it, in words.",
    )
    consent = DisclosureConsentSerializer(
        read_only=True, allow_null=True, help_text="None where no consent is needed."
    )
    by = StaffSerializer(
        read_only=True, allow_null=True, help_text="Who let it leave; none for a partner's link."
    )

    class Meta:
        model = Disclosure
        fields = [
            "id",
            "at",
            "channel",
            "channel_label",
            "what",
            "what_labels",
            "partner",
            "recipient",
            "consent",
            "by",
            "source_type",
            "source_id",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="Her disclosure log: what left Doorway about her",
        description="Every time her information left Doorway (a referral that shared it, a "
        "partner opening a referral link, an export or a print containing her, her own "
        "copy): when, how, what, to whom, under which consent and by whom. Newest first. "
        "For those who see case content and reach her record.",
        responses={200: DisclosureSerializer(many=True), **READ_PROBLEMS},
    ),
)
class DisclosureViewSet(ListMixin):
    queryset = Disclosure.objects.all()
    serializer_class = DisclosureSerializer
    http_method_names = ["get", "head", "options"]

    def role_refusal(self, user: User) -> str:
        if enrolment_rule(user) is None or not permissions.reads_disclosures(user):
            return str(permissions.REFUSED)
        return ""

    def reached(self, queryset: Any) -> Any:
        # Her record first: out of reach answers 404, audited.
        participant = access_participant(self.request, self.kwargs["participant_id"])
        return queryset.about(participant).as_listed()

    def participant_of(self, instance: Any) -> Any:
        return instance.participant_id


def register(router: BaseRouter) -> None:
    router.register(
        r"participants/(?P<participant_id>[0-9a-f-]{36})/disclosures",
        DisclosureViewSet,
        basename="participant-disclosure",
    )

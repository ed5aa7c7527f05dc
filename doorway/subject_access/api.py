"""/api/v1/participants/{id}/copy/: her own copy, as the JSON the page makes.

The same rules as the page (`permissions`), in the order of every record's resource: a
role that does not give copies (peer mentor, evaluator, administrator) 403 before any
record is looked up; a record out of reach 404, audited as refused. The copy covers the
enrolments the caller reaches, is written in her preferred language, and is audited as
an export and logged as a disclosure to her, exactly as a download from the page.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from doorway.api.resources import problems
from doorway.api.viewsets import RecordViewSet
from doorway.enrolments.access import participants_visible_to
from doorway.enrolments.models import Enrolment
from doorway.people.models import Participant, ParticipantQuerySet, User
from doorway.subject_access import actions, gather
from doorway.subject_access.permissions import REFUSED, gives_her_copy
from doorway.subject_access.render import Format

STAFF = "A member of staff: {name, role}."


class HerCopySerializer(serializers.Serializer[Any]):
    """Her copy. Dates are ISO 8601; labels (kinds, statuses, phases, roles) are in her
    language; her words and the team's notes as written."""

    format = serializers.CharField(help_text=f'The shape of this document: "{gather.FORMAT}".')
    made_on = serializers.DateField()
    language = serializers.CharField(help_text="Her preferred language: en or fr.")
    sections = serializers.DictField(
        child=serializers.CharField(), help_text="Each section's key and its title."
    )
    contact = serializers.ListField(
        child=serializers.DictField(),
        help_text="Whom she asks about it: {program, agency, phone, email} per program.",
    )
    identity = serializers.DictField(
        help_text="code, preferred_name, legal_name, other_names, date_of_birth, phone, "
        "email, safe_contact, safe_contact_confirmed_on, language, registered_on."
    )
    consents = serializers.ListField(
        child=serializers.DictField(),
        help_text="kind, shared_with, what_may_be_shared, given_on, ends_on, withdrawn_on, "
        "withdrawal_note, in_force_today.",
    )
    enrolments = serializers.ListField(
        child=serializers.DictField(),
        help_text="program (contact), cycle, referral_source, referred_on, eligibility, "
        "eligibility_decided_on, eligibility_reason, phase, phase_started_on, exit_reason, "
        "exited_on, case_manager, peer_mentor, journey, plan (agreed_on, her_words, "
        "worker_notes, goals with steps, phase_plans, reviews), contacts, assessments "
        "(answers, scores), referrals (updates), attendance (her own line only), "
        f"transfer_of_care (meetings, closing_note). {STAFF}",
    )
    safety_flags = serializers.ListField(child=serializers.DictField())
    outreach = serializers.ListField(child=serializers.DictField())
    disclosure_log = serializers.ListField(
        child=serializers.DictField(),
        help_text="Every time her information left Doorway: at, channel, what, to, "
        "under_consent, by.",
    )
    copy_requests = serializers.ListField(
        child=serializers.DictField(), help_text="received_on, answer_due_by, answered_on."
    )
    withheld = serializers.ListField(
        child=serializers.DictField(),
        help_text="What is not in her copy, and why: {what, why}.",
    )


class OneDocument(AutoSchema):
    """The route is the router's list route, but its answer is one document."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class HerCopyViewSet(RecordViewSet):
    """A resource under her record whose one document is about her: the house's rules
    as every record's resource has them. Her role first (403 before any record is looked
    up, so a role that gives no copy learns nothing about records), then her record
    through the one access rule (`participants_visible_to`: out of reach answers 404,
    audited as refused)."""

    schema = OneDocument()
    queryset = Participant.objects.all()
    lookup_url_kwarg = "participant_id"
    pagination_class = None
    http_method_names = ["get", "head", "options"]

    def role_refusal(self, user: User) -> str:
        return "" if gives_her_copy(user) else str(REFUSED)

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return participants_visible_to(self.caller(), cast(ParticipantQuerySet, queryset))

    def participant_of(self, instance: Any) -> Any:
        return instance.pk

    @extend_schema(
        operation_id="participants_copy_retrieve",
        summary="Her own copy of everything Doorway holds about her",
        description="For her case team and her program's managers. Audited as an export "
        "of her record and logged in her disclosure log (to her). It takes no query "
        "parameters. The PDF is made on her record's page.",
        responses={200: HerCopySerializer, **problems(400, 401, 403, 404)},
    )
    def list(self, request: Request, participant_id: str | None = None) -> Response:
        participant = self.get_object()
        user = self.caller()
        made = actions.make_copy(
            participant,
            format=Format.JSON,
            enrolments=gather.enrolments_of(participant, Enrolment.objects.visible_to(user)),
            complete=False,
            by=user,
            via="api",
        )
        response = Response(actions.parsed(made))
        response["Content-Language"] = made.language
        response["Cache-Control"] = "no-store"
        return response


def register(router: BaseRouter) -> None:
    router.register(
        r"participants/(?P<participant_id>[0-9a-f-]{36})/copy", HerCopyViewSet, basename="her-copy"
    )

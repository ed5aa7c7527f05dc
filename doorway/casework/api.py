"""Contacts in the API: each time a worker or a peer mentor met or spoke with her.

Reached through her enrolment (`Enrolment.objects.visible_to`), as on the enrolment
page: a peer mentor sees only the peer contacts she recorded herself, and never a case
note or the goals a contact addressed (both `null` for her); an administrator reads
them only through break-the-glass and never writes. Recording goes through
`actions.record_contact`, changing through `actions.edit_contact` with If-Match.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet, Value
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework import status as http
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from doorway.api import rows
from doorway.api.viewsets import (
    CHANGE_ERRORS,
    IF_MATCH,
    LIST_ERRORS,
    PROBLEM,
    READ_ERRORS,
    ListMixin,
    RetrieveMixin,
    VersionedUpdateMixin,
)
from doorway.casework import permissions
from doorway.casework.actions import contact_links, edit_contact, record_contact
from doorway.casework.models import Contact, ContactKind
from doorway.enrolments.access import access_enrolment
from doorway.enrolments.models import Enrolment
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may
from doorway.people.models import User
from doorway.plans.models import Goal
from doorway.programs.models import FocusArea, KeyIngredient

# A list reads the keys of what its contacts name (focus areas, goals, key ingredients)
# in one query for the page (`load_links`), into plain lists (`listed_<relation>`): no
# goal's words decrypted, no related manager made per row.
LISTED = "listed_"
LINKS = {
    "focus_areas": (Contact.focus_areas.through, "focusarea_id"),
    "goals": (Goal.contacts.through, "goal_id"),
    "ingredients": (Contact.ingredients.through, "keyingredient_id"),
}


def load_links(contacts: list[Contact]) -> None:
    """Sets `listed_<relation>` on each contact: the keys it names, from the three link
    tables read in one query (UNION ALL) instead of one query each."""
    for contact in contacts:
        for relation in LINKS:
            setattr(contact, LISTED + relation, [])
    if not contacts:
        return
    by_pk = {contact.pk: contact for contact in contacts}
    parts = [
        through._default_manager.filter(contact_id__in=by_pk)
        .annotate(relation=Value(relation))
        .values_list("relation", "contact_id", key)
        for relation, (through, key) in LINKS.items()
    ]
    for relation, contact_id, key in parts[0].union(*parts[1:], all=True):
        getattr(by_pk[contact_id], LISTED + relation).append(key)


def _ids(contact: Contact, relation: str) -> list[str]:
    listed = getattr(contact, LISTED + relation, None)
    if listed is None:
        listed = [linked.pk for linked in getattr(contact, relation).all()]
    return sorted(str(key) for key in listed)


class ContactSerializer(serializers.ModelSerializer[Contact]):
    enrolment = serializers.UUIDField(source="enrolment_id", read_only=True)
    participant = serializers.UUIDField(source="enrolment.participant_id", read_only=True)
    happened_on = serializers.DateField()
    duration_minutes = serializers.IntegerField(help_text="From 1 to 600 minutes.")
    kind = serializers.ChoiceField(
        choices=ContactKind.choices, help_text="A peer mentor records peer contacts only."
    )
    focus_areas = serializers.ListField(
        child=serializers.UUIDField(), required=False, help_text="Focus areas of her program."
    )
    goals = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        allow_null=True,
        help_text="Goals of her plan the contact addressed. Read and written by the care "
        "team only: null for a peer mentor.",
    )
    ingredients = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text="Her program's key ingredients this contact shows at work (care team).",
    )
    note = serializers.CharField(
        allow_blank=True,
        allow_null=True,
        required=False,
        max_length=20000,
        help_text="The case note: required except for peer contacts; read by the care "
        "team only (null for a peer mentor).",
    )
    recorded_by = serializers.UUIDField(source="recorded_by_id", read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "enrolment",
            "participant",
            "happened_on",
            "duration_minutes",
            "kind",
            "focus_areas",
            "goals",
            "ingredients",
            "note",
            "recorded_by",
            "recorded_at",
            "is_late",
            "edited_at",
        ]
        read_only_fields = ["id", "recorded_at", "is_late", "edited_at"]

    def to_representation(self, instance: Contact) -> dict[str, Any]:
        # Asked once for a list's rows (its child serializer is shared by them).
        reads_notes: bool | None = getattr(self, "_reads_notes", None)
        if reads_notes is None:
            request = self.context.get("request")
            reads_notes = request is not None and permissions.reads_case_notes(request.user)
            self._reads_notes = reads_notes
            self._when = rows.datetime_writer()
        when = self._when
        return {
            "id": str(instance.pk),
            "enrolment": str(instance.enrolment_id),
            "participant": str(instance.enrolment.participant_id),
            "happened_on": instance.happened_on.isoformat(),
            "duration_minutes": instance.duration_minutes,
            "kind": instance.kind,
            "focus_areas": _ids(instance, "focus_areas"),
            "goals": _ids(instance, "goals") if reads_notes else None,
            "ingredients": _ids(instance, "ingredients"),
            "note": instance.note if reads_notes else None,
            "recorded_by": str(instance.recorded_by_id),
            "recorded_at": when(instance.recorded_at),
            "is_late": instance.is_late,
            "edited_at": when(instance.edited_at) if instance.edited_at else None,
        }


# A contact's own columns that a list's row shows (`enrolment` is its key).
LISTED_COLUMNS = (
    "enrolment",
    "happened_on",
    "duration_minutes",
    "kind",
    "note",
    "recorded_by",
    "recorded_at",
    "is_late",
    "edited_at",
)


class ContactCreateSerializer(ContactSerializer):
    enrolment = serializers.UUIDField()

    class Meta(ContactSerializer.Meta):
        pass


def _chosen[M: Model](
    queryset: QuerySet[M], ids: list[Any] | None, field: str, message: str
) -> list[M]:
    """The rows named, all of them, or a refusal keyed by `field`."""
    wanted = set(ids or [])
    rows = list(queryset.filter(pk__in=wanted))
    if len(rows) != len(wanted):
        raise exceptions.ValidationError({field: [message]})
    return rows


def links(enrolment: Enrolment, data: dict[str, Any]) -> dict[str, Any]:
    """The focus areas, goals and key ingredients named in `data`, as the action takes
    them. A goal is looked for in her plan only: another woman's is as unknown."""
    out: dict[str, Any] = {}
    if "focus_areas" in data:
        out["focus_areas"] = _chosen(
            FocusArea.objects.all(),
            data["focus_areas"],
            "focus_areas",
            "Choose focus areas of her program only.",
        )
    if "goals" in data:
        out["goals"] = _chosen(
            Goal.objects.filter(plan__enrolment=enrolment),
            data["goals"],
            "goals",
            "Choose goals of her own plan only.",
        )
    if "ingredients" in data:
        out["ingredients"] = _chosen(
            KeyIngredient.objects.all(),
            data["ingredients"],
            "ingredients",
            "Choose key ingredients of her program only.",
        )
    return out


class ContactFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    enrolment = filters.UUIDFilter(field_name="enrolment")
    participant = filters.UUIDFilter(field_name="enrolment__participant")
    kind = filters.ChoiceFilter(choices=ContactKind.choices)
    happened_on = filters.DateFromToRangeFilter()
    recorded_by = filters.UUIDFilter(field_name="recorded_by")

    class Meta:
        model = Contact
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(responses={200: ContactSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ContactSerializer, **READ_ERRORS}),
    update=extend_schema(
        parameters=[IF_MATCH], responses={200: ContactSerializer, **CHANGE_ERRORS}
    ),
    partial_update=extend_schema(
        parameters=[IF_MATCH], responses={200: ContactSerializer, **CHANGE_ERRORS}
    ),
)
class ContactViewSet(VersionedUpdateMixin, ListMixin, RetrieveMixin):
    """Contacts with her, newest first."""

    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def role_refusal(self, user: User) -> str:
        if self.action == "create" and not may(user, Can.RECORD_CONTACTS):
            return "Your role does not record contacts."
        if self.action in {"update", "partial_update"} and not may(user, Can.EDIT_CONTACTS):
            return "Your role does not edit contacts."
        return ""

    def base_queryset(self) -> QuerySet[Any]:
        contacts = Contact.objects.select_related("enrolment").order_by(
            "-happened_on", "-recorded_at", "pk"
        )
        if self.action == "list":
            # Of her enrolment a row shows only whose it is: its other columns (its
            # intake, encrypted) are not read; nor the note by those who never see it.
            columns = [*LISTED_COLUMNS, "enrolment__participant"]
            if not permissions.reads_case_notes(self.caller()):
                columns.remove("note")
            return contacts.only(*columns)
        return contacts.prefetch_related("focus_areas", "goals", "ingredients")

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        user = self.caller()
        if not user.is_authenticated:
            return queryset.none()
        mine = queryset.filter(enrolment__in=Enrolment.objects.visible_to(user))
        listed: QuerySet[Any] = permissions.contacts_listed_for(user, mine)
        return listed

    def load_rows(self, rows: list[Any]) -> None:
        load_links(rows)

    def participant_of(self, instance: Any) -> Any:
        return instance.enrolment.participant_id

    def version_extra(self, instance: Any) -> tuple[Any, ...]:
        # The same version the edit page carries (`contact_version`).
        return tuple(contact_links(instance))

    def with_etag(self, response: Response, instance: Any) -> Response:
        # The version is for those who may change the contact: to a peer mentor it
        # would only tell that the note she does not read changed.
        if permissions.edits_contacts(self.caller()):
            return super().with_etag(response, instance)
        return response

    @extend_schema(
        request=ContactCreateSerializer,
        responses={201: ContactSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        description="Record a contact with her. An enrolment out of reach: 404.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        shape = ContactCreateSerializer(data=request.data, context={"request": request})
        shape.is_valid(raise_exception=True)
        data = dict(shape.validated_data)
        enrolment = access_enrolment(request, data.pop("enrolment"))
        data.update(links(enrolment, data))
        contact = record_contact(
            enrolment,
            by=self.caller(),
            happened_on=data["happened_on"],
            duration_minutes=data["duration_minutes"],
            kind=data["kind"],
            focus_areas=data.get("focus_areas", []),
            note=data.get("note") or "",
            goals=data.get("goals") or [],
            ingredients=data.get("ingredients", []),
        )
        created = self.base_queryset().get(pk=contact.pk)
        response = Response(self.get_serializer(created).data, status=http.HTTP_201_CREATED)
        return self.with_etag(response, created)

    def perform_update(self, serializer: Any) -> None:
        contact = serializer.instance
        changes = dict(serializer.validated_data)
        if changes.get("goals") is None:
            changes.pop("goals", None)
        if "note" in changes:
            changes["note"] = changes["note"] or ""
        changes.update(links(contact.enrolment, changes))
        edit_contact(contact, by=self.caller(), **changes)


def register(router: BaseRouter) -> None:
    router.register("contacts", ContactViewSet, basename="contact")

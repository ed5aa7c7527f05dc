"""Reaching one record from a page, the API, an import or an export: the participant or
enrolment if the rule in `doorway.enrolments.reach` lets the asker reach it; otherwise
404, with the refusal in the audit log (`doorway.audit.refusal`).

Views call `access_participant`, `access_enrolment` or `access_part` first, and then do
one thing; lists start from `Enrolment.objects.visible_to(user)` or
`participants_visible_to(user)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import HttpRequest

from doorway.audit.refusal import refuse
from doorway.enrolments.models import Enrolment
from doorway.enrolments.reach import enrolment_rule
from doorway.people.models import Participant, ParticipantQuerySet

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone


def enrolments_visible_to(queryset: QuerySet[Enrolment], user: Someone) -> QuerySet[Enrolment]:
    rule = enrolment_rule(user)
    if rule is None:
        return queryset.none()
    # The rule joins no many-valued relation, so it filters the rows directly.
    return queryset.filter(rule)


def participants_visible_to(
    user: Someone, participants: ParticipantQuerySet | None = None
) -> ParticipantQuerySet:
    """The participants `user` reaches (of `participants`, or of all): those with an
    enrolment she reaches."""
    if participants is None:
        participants = Participant.objects.all()
    rule = enrolment_rule(user)
    if rule is None:
        return participants.none()
    return participants.filter(Exists(Enrolment.objects.filter(rule, participant=OuterRef("pk"))))


def access_participant(request: HttpRequest, participant_id: Any) -> Participant:
    """The participant if the signed-in person may reach her; otherwise 404, audited.

    Out-of-reach and non-existent records answer alike, so that nobody can learn that
    a record exists by asking for it."""
    participant = participants_visible_to(request.user).filter(pk=participant_id).first()
    if participant is None:
        refuse(request, participant_id=participant_id, object_type="people.Participant")
    return participant


def access_enrolment(request: HttpRequest, enrolment_id: Any) -> Enrolment:
    enrolment = (
        Enrolment.objects.visible_to(request.user)
        .select_related("participant", "cycle__program", "current_phase")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        refuse(request, object_id=enrolment_id, object_type="enrolments.Enrolment")
    return enrolment


def access_part[M: Model](
    request: HttpRequest, enrolment: Enrolment, queryset: QuerySet[M], object_id: Any
) -> M:
    """The row `object_id` of `queryset`, a record of `enrolment` (which the caller has
    already reached through `access_enrolment`); otherwise 404, audited like her record.

    `queryset` must already be narrowed to that enrolment (or to her): this only finds
    the row in it, so that a record of another woman answers like one that never was."""
    row = queryset.filter(pk=object_id).first()
    if row is None:
        refuse(
            request,
            participant_id=enrolment.participant_id,
            object_id=object_id,
            object_type=queryset.model._meta.label,
        )
    assert row is not None
    return row

"""Making her copy, and recording her request for one. Each call checks, writes and
audits in one transaction."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.disclosures.log import record_disclosure
from doorway.disclosures.models import Channel
from doorway.enrolments.models import Enrolment
from doorway.people.models import Participant, User
from doorway.subject_access import gather, render
from doorway.subject_access.models import SubjectAccessRequest


@dataclass(frozen=True)
class Copy:
    content: bytes
    filename: str
    content_type: str
    language: str


def record_request(
    participant: Participant, *, received_on: datetime.date, by: User
) -> SubjectAccessRequest:
    """She asked for her copy on `received_on` (not in the future)."""
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The day she asked cannot be in the future.")})
    with transaction.atomic():
        request = SubjectAccessRequest.objects.create(
            participant=participant, received_on=received_on, recorded_by=by
        )
        record(
            Action.CREATE,
            actor=by,
            participant=participant,
            subject=request,
            detail={"copy_request": True},
        )
    return request


def make_copy(
    participant: Participant,
    *,
    format: str,
    enrolments: list[Enrolment],
    complete: bool,
    by: User | None,
    answers: SubjectAccessRequest | None = None,
    via: str = "page",
) -> Copy:
    """Her copy, in her language, as `format` (`render.Format`): audited as an export of
    her record, logged as a disclosure to her, and the answer to `answers` (a waiting
    request of hers) if given."""
    if format not in render.Format.CHOICES:
        raise ValueError(f"Unknown format {format!r}")
    if answers is not None and (
        answers.participant_id != participant.pk or answers.answered_on is not None
    ):
        raise ValidationError(_("That request is not one of hers still waiting for an answer."))
    language = participant.preferred_language
    today = timezone.localdate()
    with transaction.atomic():
        if answers is not None:
            # Answered today, and her copy says so; answered once only, even when two
            # people press at the same moment.
            answered = SubjectAccessRequest.objects.filter(
                pk=answers.pk, answered_on__isnull=True
            ).update(answered_on=max(today, answers.received_on), answered_by=by)
            if not answered:
                raise ValidationError(_("That request has just been answered."))
        with translation.override(language):
            copy = gather.gather(participant, enrolments=enrolments, complete=complete)
            content = render.written(copy, format)
        record(
            Action.EXPORT,
            actor=by,
            participant=participant,
            subject=participant,
            detail={
                "export": "her_copy",
                "format": format,
                "via": via,
                "enrolments": len(enrolments),
                "complete": complete,
            },
        )
        record_disclosure(
            participant,
            channel=Channel.SUBJECT_ACCESS,
            what=list(gather.SECTIONS),
            by=by,
            recipient=gather.RECIPIENT_HER_COPY,
            source=answers,
        )
    return Copy(
        content=content,
        filename=render.filename(copy, format),
        content_type=render.CONTENT_TYPES[format],
        language=language,
    )


def waiting_request(participant: Participant, request_id: Any) -> SubjectAccessRequest | None:
    if not request_id:
        return None
    return (
        SubjectAccessRequest.objects.unanswered()
        .filter(participant=participant, pk=request_id)
        .first()
    )


def parsed(copy: Copy) -> Any:
    """A JSON copy read back (the API answers with it as its body)."""
    return json.loads(copy.content)

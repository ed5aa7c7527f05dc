"""Saving and discarding drafts. A draft is her own unsent words, not yet part of any
record, so saving one (every few seconds while she types) is not audited; the reach
check before it is, when it refuses."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from doorway.drafts.models import Draft, Fields
from doorway.drafts.registry import DraftOf

if TYPE_CHECKING:
    from doorway.enrolments.models import Enrolment
    from doorway.people.models import User


def save_draft(
    author: User,
    of: DraftOf,
    fields: Fields,
    *,
    enrolment: Enrolment | None,
    saved_at: datetime.datetime | None = None,
) -> Draft:
    """Her draft of this form, replaced by what she has typed now."""
    with transaction.atomic():
        Draft.objects.expired().delete()
        draft, _ = Draft.objects.update_or_create(
            author=author,
            form_key=of.form_key,
            about=of.about,
            object_id=of.object_id,
            defaults={
                "enrolment": enrolment,
                "content": Draft.dump(fields),
                "saved_at": saved_at or timezone.now(),
            },
        )
    return draft


def discard_draft(author: User, of: DraftOf) -> int:
    """Her draft of this form is gone (she discarded it, or the form was sent)."""
    deleted, _ = Draft.objects.of(author, of.form_key, of.about, of.object_id).delete()
    return deleted


def purge_expired() -> int:
    deleted, _ = Draft.objects.expired().delete()
    return deleted

"""A form sent after the session ended: what it held is kept, encrypted, in the new
(anonymous) session, which signing in carries over; when she comes back to the form it
is restored, to the person the form was shown to only."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from doorway.drafts.models import MAX_DRAFT_CHARS, Fields
from doorway.drafts.registry import FIELD, DraftOf, read_token
from doorway.encryption import decrypt, encrypt

SESSION_KEY = "doorway.drafts.pending"
# Never part of what she typed.
NOT_TYPED = {FIELD, "csrfmiddlewaretoken"}
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def typed_fields(data: QueryDict) -> Fields:
    return {name: data.getlist(name) for name in data if name not in NOT_TYPED}


def keep(request: HttpRequest, of: DraftOf, fields: Fields) -> None:
    content = json.dumps(
        {
            "of": [of.form_key, of.about, of.object_id, of.shown_to],
            "fields": fields,
            "at": timezone.now().isoformat(),
        }
    )
    if len(content) <= MAX_DRAFT_CHARS:
        request.session[SESSION_KEY] = encrypt(content)


def kept_for(
    session: SessionBase, of: DraftOf, user_id: Any
) -> tuple[Fields, datetime.datetime] | None:
    """What was sent of this form after her session ended, if she is who it was shown to."""
    stored = session.get(SESSION_KEY)
    if not stored:
        return None
    try:
        kept: Any = json.loads(decrypt(stored))
        kept_of = DraftOf(*kept["of"])
        at = datetime.datetime.fromisoformat(kept["at"])
        fields = kept["fields"]
    except (ValueError, KeyError, TypeError):
        session.pop(SESSION_KEY, None)
        return None
    if kept_of.shown_to != str(user_id) or not kept_of.same_form(of):
        return None
    return fields, at


def forget(session: SessionBase, of: DraftOf) -> None:
    stored = session.get(SESSION_KEY)
    if not stored:
        return
    try:
        kept_of = DraftOf(*json.loads(decrypt(stored))["of"])
    except (ValueError, KeyError, TypeError):
        kept_of = None
    if kept_of is None or kept_of.same_form(of):
        session.pop(SESSION_KEY, None)


def sent_draft(request: HttpRequest) -> DraftOf | None:
    """The draft a form post names (CsrfViewMiddleware has read a form's body already;
    a JSON body is never read here)."""
    if request.method != "POST" or request.content_type not in FORM_TYPES:
        return None
    value = request.POST.get(FIELD)
    return read_token(value) if value else None

"""Permission-matrix rows for drafts: a draft of her contact form is kept and read back
by whoever may record a contact about her; discarding one's own draft and "stay signed
in" touch nothing of hers."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from doorway.drafts.models import Draft
from doorway.drafts.registry import FIELD, token
from doorway.testing.matrix import EVERYONE, OK, Endpoint


def contact_draft(w: Any) -> str:
    return token("contact", w.rosa_enrolment.pk, "", w.alice.pk)


ALL_OK: dict[str, object] = dict.fromkeys(EVERYONE, OK)

ENDPOINTS = [
    Endpoint(
        "draft_save",
        "POST",
        lambda w, x: reverse("draft_save"),
        lambda w, x: {FIELD: contact_draft(w), "note": "Called about the lease"},
        peer_mentor=OK,
    ),
    Endpoint(
        "draft_restore",
        "GET",
        lambda w, x: reverse("draft_restore") + "?draft=" + contact_draft(w),
        peer_mentor=OK,
        # An administrator reads her record through the glass, but writes no contact.
        glass_reads=False,
    ),
    Endpoint(
        "draft_discard",
        "POST",
        lambda w, x: reverse("draft_discard"),
        lambda w, x: {FIELD: contact_draft(w)},
        about_her=False,
        roles=ALL_OK,
    ),
    Endpoint(
        "stay_signed_in",
        "POST",
        lambda w, x: reverse("stay_signed_in"),
        lambda w, x: {},
        about_her=False,
        roles=ALL_OK,
    ),
]


def setup(world: Any) -> dict[str, Any]:
    return {}


def snapshot(world: Any) -> object:
    return tuple(Draft.objects.order_by("id").values_list("id", "author_id", "saved_at"))

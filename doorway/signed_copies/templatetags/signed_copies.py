"""`{% signed_copy_of consent %}`: the signed copy's line under a consent on her record
(on file or not, its download and the upload form for those who may handle it). The
copies of all her consents are read in one query per page, their files left out."""

from __future__ import annotations

from typing import Any

from django import template

from doorway.people.models import Consent
from doorway.signed_copies.forms import SignedCopyForm
from doorway.signed_copies.models import SignedCopy
from doorway.signed_copies.permissions import handles_signed_copies

register = template.Library()

CACHE = "_signed_copies_of"


def copies_of(request: Any, participant_id: Any) -> dict[Any, SignedCopy]:
    cached: dict[Any, dict[Any, SignedCopy]] = getattr(request, CACHE, None) or {}
    if participant_id not in cached:
        cached[participant_id] = {
            c.consent_id: c
            for c in SignedCopy.objects.filter(consent__participant_id=participant_id)
            .defer("content")
            .select_related("uploaded_by")
        }
        setattr(request, CACHE, cached)
    return cached[participant_id]


@register.inclusion_tag("signed_copies/_consent_signed_copy.html", takes_context=True)
def signed_copy_of(context: template.Context, consent: Consent) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None:
        return {"shown": False}
    return {
        "shown": True,
        "consent": consent,
        "copy": copies_of(request, consent.participant_id).get(consent.pk),
        "handles": handles_signed_copies(user),
        "form": SignedCopyForm(auto_id=f"signed-copy-{consent.pk}-%s"),
        "csrf_token": context.get("csrf_token"),
    }

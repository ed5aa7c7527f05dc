"""Permission-matrix rows for the signed copy of a consent (gathered by
doorway/tests/test_permission_matrix.py): her case team and her program's manager open
its page, attach a copy and download it; a peer mentor who mentors her gets 403, as does
an administrator who broke the glass (she reads the record, but neither attaches nor
opens the scan); everyone out of reach gets 404, audited."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from doorway.people.models import User
from doorway.signed_copies import actions
from doorway.signed_copies.models import SignedCopy
from doorway.testing.matrix import Endpoint

PDF = b"%PDF-1.7\nsigned in the matrix\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

ENDPOINTS = [
    Endpoint(
        "signed_copy",
        "GET",
        lambda w, x: reverse("signed_copy", args=[w.rosa.pk, x["signed_consent"].pk]),
        glass_reads=False,
    ),
    Endpoint(
        "signed_copy",
        "POST",
        lambda w, x: reverse("signed_copy", args=[w.rosa.pk, x["signed_consent"].pk]),
        payload=lambda w, x: {"file": SimpleUploadedFile("scan.png", PNG)},
    ),
    Endpoint(
        "signed_copy_download",
        "GET",
        lambda w, x: reverse("signed_copy_download", args=[w.rosa.pk, x["signed_consent"].pk]),
        glass_reads=False,
    ),
]


def setup(world: Any) -> dict[str, Any]:
    # The consent to service the shared world records for her.
    consent = world.rosa.consents.filter(kind="service").earliest("recorded_at")
    by: User = world.alice
    actions.attach(consent, PDF, by=by)
    return {"signed_consent": consent}


def snapshot(world: Any) -> tuple[object, ...]:
    return tuple(
        SignedCopy.objects.filter(consent__participant=world.rosa)
        .order_by("pk")
        .values_list("pk", "sha256", "uploaded_by", "uploaded_at")
    )

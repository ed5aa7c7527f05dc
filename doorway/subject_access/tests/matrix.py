"""Permission-matrix rows for her own copy (gathered by doorway/tests/test_permission_matrix.py).

Her case team and her program's manager open the page, make her copy and record her
request; a peer mentor gets 403 (a copy of everything is more than she may read); an
administrator who broke the glass reads her record but makes no copy of it (403, even
the page); whoever does not reach her gets 404, audited.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from doorway.disclosures.models import Disclosure
from doorway.subject_access.models import SubjectAccessRequest
from doorway.testing.matrix import Endpoint

ENDPOINTS = [
    Endpoint(
        "her_copy",
        "GET",
        lambda w, x: reverse("her_copy", args=[w.rosa.pk]),
        glass_reads=False,
    ),
    Endpoint(
        "her_copy_make",
        "POST",
        lambda w, x: reverse("her_copy_make", args=[w.rosa.pk]),
        payload=lambda w, x: {"format": "json", "answers": str(x["copy_request"].pk)},
    ),
    Endpoint(
        "her_copy_request",
        "POST",
        lambda w, x: reverse("her_copy_request", args=[w.rosa.pk]),
        payload=lambda w, x: {"received_on": timezone.localdate().isoformat()},
    ),
]


def setup(world: Any) -> dict[str, Any]:
    request = SubjectAccessRequest.objects.create(
        participant=world.rosa,
        received_on=timezone.localdate() - datetime.timedelta(days=3),
        recorded_by=world.alice,
    )
    return {"copy_request": request}


def snapshot(world: Any) -> tuple[object, ...]:
    return (
        tuple(
            SubjectAccessRequest.objects.filter(participant=world.rosa)
            .order_by("pk")
            .values_list("pk", "received_on", "answered_on")
        ),
        Disclosure.objects.filter(participant=world.rosa).count(),
    )

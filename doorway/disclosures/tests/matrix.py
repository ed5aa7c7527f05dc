"""Permission-matrix rows for her disclosure log's page (gathered by
doorway/tests/test_permission_matrix.py): her care team and her program's managers read
it, a peer mentor who mentors her does not (403), everyone out of reach gets 404,
audited; an administrator who broke the glass reads it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from doorway.disclosures import what
from doorway.disclosures.log import record_disclosure
from doorway.disclosures.models import Channel
from doorway.testing.matrix import Endpoint

ENDPOINTS = [
    Endpoint(
        "disclosure_list",
        "GET",
        lambda w, x: reverse("disclosure_list", args=[w.rosa.pk]),
    ),
]


def setup(world: Any) -> dict[str, Any]:
    disclosure = record_disclosure(
        world.rosa,
        channel=Channel.EXPORT,
        what=[what.PARTICIPANT_CODE, what.PHASE],
        by=world.alice,
        recipient=what.DOWNLOADED,
    )
    return {"disclosure": disclosure}


def snapshot(world: Any) -> tuple[object, ...]:
    # The page only reads (its audit entry aside).
    return ()

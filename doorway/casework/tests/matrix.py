"""Permission-matrix rows for contacts and case notes."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from doorway.casework.actions import record_contact
from doorway.casework.models import Contact
from doorway.testing.matrix import OK, Endpoint, today

ENDPOINTS = [
    Endpoint(
        "contact_record",
        "GET",
        lambda w, x: reverse("contact_record", args=[w.rosa_enrolment.pk]),
        peer_mentor=OK,
        glass_reads=False,
    ),
    Endpoint(
        "contact_record",
        "POST",
        lambda w, x: reverse("contact_record", args=[w.rosa_enrolment.pk]),
        # A peer contact: the one kind every role that records contacts may record.
        lambda w, x: {"happened_on": today(), "duration_minutes": "30", "kind": "peer"},
        peer_mentor=OK,
    ),
    Endpoint(
        "contact_edit",
        "GET",
        lambda w, x: reverse("contact_edit", args=[w.rosa_enrolment.pk, x["contact"].pk]),
        glass_reads=False,
    ),
    Endpoint(
        "contact_edit",
        "POST",
        lambda w, x: reverse("contact_edit", args=[w.rosa_enrolment.pk, x["contact"].pk]),
        lambda w, x: {
            "happened_on": today(),
            "duration_minutes": "55",
            "kind": "counselling",
            "note": "Rewritten",
        },
    ),
    # Case notes: never a peer mentor's to read.
    Endpoint(
        "contact_history",
        "GET",
        lambda w, x: reverse("contact_history", args=[w.rosa_enrolment.pk, x["contact"].pk]),
    ),
]


def setup(world: Any) -> dict[str, Any]:
    contact = record_contact(
        world.rosa_enrolment,
        by=world.alice,
        happened_on=timezone.localdate(),
        duration_minutes=45,
        kind="counselling",
        note="First note",
    )
    return {"contact": contact}


def snapshot(world: Any) -> tuple[object, ...]:
    contacts = Contact.objects.filter(enrolment=world.rosa_enrolment)
    return (
        tuple(contacts.values_list("pk", "duration_minutes", "kind")),
        Contact.history.filter(enrolment_id=world.rosa_enrolment.pk).count(),
    )

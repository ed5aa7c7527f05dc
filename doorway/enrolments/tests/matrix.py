"""Permission-matrix rows for what the enrolment page adds to her journey: consent
recorded from the page, and a phase move undone."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from doorway.enrolments.models import Enrolment, JourneyEvent
from doorway.testing.matrix import FORBIDDEN, Endpoint, today


def just_moved(world: Any) -> JourneyEvent:
    """Rosa's move to the next phase, made a moment ago by her case manager. Made on
    first use, inside the matrix's savepoint, so that the other rows find her where
    the shared world puts her."""
    enrolment = Enrolment.objects.get(pk=world.rosa_enrolment.pk)
    last = enrolment.last_move()
    if last is not None:
        return last
    return enrolment.move_to(world.program.active_phases()[1], by=world.alice)


ENDPOINTS = [
    Endpoint(
        "enrolment_consent",
        "POST",
        lambda w, x: reverse("enrolment_consent", args=[w.rosa_enrolment.pk]),
        lambda w, x: {"kind": "evaluation", "given_on": today()},
    ),
    Endpoint(
        "enrolment_undo",
        "POST",
        lambda w, x: reverse("enrolment_undo", args=[w.rosa_enrolment.pk, just_moved(w).pk]),
        lambda w, x: {"reason": "Chosen by mistake."},
        # Her own case manager or the program manager; not a teammate.
        teammate=FORBIDDEN,
    ),
]


def setup(world: Any) -> dict[str, Any]:
    return {}


def snapshot(world: Any) -> tuple[object, ...]:
    enrolment = Enrolment.objects.get(pk=world.rosa_enrolment.pk)
    return (
        enrolment.current_phase_id,
        enrolment.exit_reason,
        tuple(enrolment.events.values_list("pk", "kind")),
        enrolment.participant.consents.count(),
    )

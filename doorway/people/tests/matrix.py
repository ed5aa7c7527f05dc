"""Permission-matrix rows for participant and enrolment pages."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from doorway.enrolments.models import Enrolment
from doorway.people.actions import add_safety_flag
from doorway.people.capabilities import Action
from doorway.people.models import Consent, Participant
from doorway.testing.matrix import (
    EVERYONE,
    FORBIDDEN,
    NOT_FOUND,
    OK,
    Endpoint,
    by_capability,
    same_for,
    today,
)

# Lists: every role with participants to look for; evaluators see counts elsewhere.
LISTS = same_for(EVERYONE, OK, eve=NOT_FOUND)
# Registration: the roles that register participants.
REGISTERS = by_capability(Action.REGISTER_PARTICIPANTS, eve=NOT_FOUND)

ENDPOINTS = [
    Endpoint(
        "participant_list",
        "GET",
        lambda w, x: reverse("participant_list"),
        about_her=False,
        roles=LISTS,
    ),
    Endpoint(
        "participant_list",
        "POST",
        lambda w, x: reverse("participant_list"),
        lambda w, x: {"q": "Rosa Example"},
        about_her=False,
        roles=LISTS,
    ),
    Endpoint(
        "participant_register",
        "GET",
        lambda w, x: reverse("participant_register"),
        about_her=False,
        roles=REGISTERS,
    ),
    Endpoint(
        "participant_duplicates",
        "POST",
        lambda w, x: reverse("participant_duplicates"),
        lambda w, x: {"preferred_name": "Rosa"},
        about_her=False,
        roles=REGISTERS,
    ),
    Endpoint(
        "participant_detail",
        "GET",
        lambda w, x: reverse("participant_detail", args=[w.rosa.pk]),
        peer_mentor=OK,
    ),
    Endpoint(
        "participant_edit",
        "GET",
        lambda w, x: reverse("participant_edit", args=[w.rosa.pk]),
        glass_reads=False,
    ),
    Endpoint(
        "participant_edit",
        "POST",
        lambda w, x: reverse("participant_edit", args=[w.rosa.pk]),
        lambda w, x: {
            "preferred_name": "Rosie",
            "legal_name": "Rosa Example",
            "preferred_language": "en-ca",
        },
    ),
    Endpoint(
        "safe_contact_confirm",
        "POST",
        lambda w, x: reverse("safe_contact_confirm", args=[w.rosa.pk]),
        lambda w, x: {"back": ""},
    ),
    Endpoint(
        "safety_flag_add",
        "POST",
        lambda w, x: reverse("safety_flag_add", args=[w.rosa.pk]),
        lambda w, x: {"kind": "no_voicemail", "note": ""},
    ),
    Endpoint(
        "safety_flag_remove",
        "POST",
        lambda w, x: reverse("safety_flag_remove", args=[w.rosa.pk, x["flag"].pk]),
        lambda w, x: {},
    ),
    Endpoint(
        "consent_give",
        "POST",
        lambda w, x: reverse("consent_give", args=[w.rosa.pk]),
        lambda w, x: {"kind": "evaluation", "given_on": today()},
    ),
    Endpoint(
        "consent_withdraw",
        "POST",
        lambda w, x: reverse("consent_withdraw", args=[w.rosa.pk, x["consent"].pk]),
        lambda w, x: {f"w-{x['consent'].pk}-on": today(), f"w-{x['consent'].pk}-note": ""},
    ),
    Endpoint(
        "enrolment_detail",
        "GET",
        lambda w, x: reverse("enrolment_detail", args=[w.rosa_enrolment.pk]),
        peer_mentor=OK,
    ),
    Endpoint(
        "enrolment_move",
        "POST",
        lambda w, x: reverse("enrolment_move", args=[w.rosa_enrolment.pk]),
        lambda w, x: {
            "move": f"phase:{x['next_phase'].pk}",
            "reason": "",
            "on": today(),
            # The confirmation step's answer: without it the move is only asked.
            "confirmed": "yes",
        },
    ),
    Endpoint(
        "enrolment_eligibility",
        "POST",
        lambda w, x: reverse("enrolment_eligibility", args=[w.rosa_enrolment.pk]),
        lambda w, x: {"decision": "eligible", "reason": "Three risk factors", "on": today()},
    ),
    Endpoint(
        "enrolment_assign",
        "POST",
        lambda w, x: reverse("enrolment_assign", args=[w.rosa_enrolment.pk]),
        lambda w, x: {"case_manager": w.amira.pk, "peer_mentor": "", "reason": ""},
        # Only her program manager assigns staff.
        case_team=FORBIDDEN,
    ),
]


def setup(world: Any) -> dict[str, Any]:
    flag = add_safety_flag(world.rosa, kind="no_texts", note="", by=world.alice)
    consent = Consent.objects.get(participant=world.rosa, kind="service")
    return {"flag": flag, "consent": consent, "next_phase": world.program.active_phases()[1]}


def snapshot(world: Any) -> tuple[object, ...]:
    rosa = Participant.objects.get(pk=world.rosa.pk)
    enrolment = Enrolment.objects.get(pk=world.rosa_enrolment.pk)
    return (
        rosa.preferred_name,
        rosa.legal_name,
        rosa.safe_contact_confirmed_on,
        rosa.history.count(),
        tuple(rosa.safety_flags.values_list("pk", "removed_at")),
        tuple(rosa.consents.values_list("pk", "withdrawn_on")),
        enrolment.current_phase_id,
        enrolment.eligibility,
        enrolment.case_manager_id,
        enrolment.peer_mentor_id,
        enrolment.events.count(),
    )

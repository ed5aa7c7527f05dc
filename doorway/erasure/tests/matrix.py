"""Permission-matrix rows for the erasure pages (/erasure/).

Two women of Alice's caseload who have left the program: Wren, whose erasure Alice
proposed (waiting for a second person), and Yara, whom nobody has proposed yet. Rosa's
own record is left alone: other rows need her enrolment open.

- the list, and a proposal by code: case managers and program managers (a code they
  do not reach is refused on the form, nothing changed); everyone else 403;
- approving: a program manager of her program (Alice, the proposer, and Amira, a
  case manager, 403); out of reach (another team, program or agency) 404, audited;
- declining: a program manager of her program, or the proposer (withdrawing).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from doorway.enrolments.models import ExitReason
from doorway.erasure.actions import propose_erasure
from doorway.erasure.models import ErasureRequest
from doorway.people.capabilities import Action
from doorway.people.models import Participant
from doorway.testing.factories import ConsentFactory, EnrolmentFactory, ParticipantFactory
from doorway.testing.matrix import FORBIDDEN, NOT_FOUND, OK, Endpoint, by_capability

REASON = "She asked on the phone for her record to be erased."

# The list, and a proposal (refused on the form for a code out of reach).
PROPOSERS = by_capability(Action.PROPOSE_ERASURE)
# Approving Wren's erasure, which Alice proposed.
APPROVES = {
    "alice": FORBIDDEN,
    "amira": FORBIDDEN,
    "bianca": NOT_FOUND,
    "morgan": OK,
    "olive": NOT_FOUND,
    "oscar": NOT_FOUND,
    "pat": FORBIDDEN,
    "eve": FORBIDDEN,
    "ada": FORBIDDEN,
}
# Declining it: Morgan, or Alice withdrawing her own proposal.
DECLINES = {**APPROVES, "alice": OK}


def left_the_program(world: Any, name: str) -> Participant:
    person = ParticipantFactory(
        preferred_name=name,
        legal_name=f"{name} Example",
        agency=world.agency,
        registered_by=world.alice,
    )
    ConsentFactory(participant=person, recorded_by=world.alice)
    EnrolmentFactory(
        participant=person,
        cycle=world.rosa_enrolment.cycle,
        case_manager=world.alice,
        exit_reason=ExitReason.WITHDREW,
        exited_on=timezone.localdate(),
    )
    return person


def setup(world: Any) -> dict[str, Any]:
    wren = left_the_program(world, "Wren")
    yara = left_the_program(world, "Yara")
    waiting = propose_erasure(wren, by=world.alice, reason=REASON)
    # Keys of their own: every app's extras share one dictionary (the drop-ins' "wren").
    return {"erasure_request": waiting, "erasure_wren": wren, "yara": yara}


def snapshot(world: Any) -> tuple[object, ...]:
    return (
        tuple(ErasureRequest.objects.order_by("pk").values_list("pk", "status", "decided_by")),
        tuple(Participant.objects.order_by("pk").values_list("pk", "code")),
    )


ENDPOINTS = [
    Endpoint(
        "erasure_list",
        "GET",
        lambda w, x: reverse("erasure_list"),
        about_her=False,
        roles=PROPOSERS,
    ),
    Endpoint(
        "erasure_list",
        "POST",
        lambda w, x: reverse("erasure_list"),
        lambda w, x: {"code": x["yara"].code, "kind": "her_request", "reason": REASON},
        about_her=False,
        roles=PROPOSERS,
    ),
    Endpoint(
        "erasure_approve",
        "GET",
        lambda w, x: reverse("erasure_approve", args=[x["erasure_request"].pk]),
        about_her=False,
        roles=APPROVES,
    ),
    Endpoint(
        "erasure_approve",
        "POST",
        lambda w, x: reverse("erasure_approve", args=[x["erasure_request"].pk]),
        lambda w, x: {},
        about_her=False,
        roles=APPROVES,
    ),
    Endpoint(
        "erasure_decline",
        "POST",
        lambda w, x: reverse("erasure_decline", args=[x["erasure_request"].pk]),
        lambda w, x: {},
        about_her=False,
        roles=DECLINES,
    ),
]

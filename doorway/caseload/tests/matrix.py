"""Permission-matrix rows for the caseload pages.

Not about one participant: each row says what each role gets. Case managers and program
managers have caseloads to read; a peer mentor's work is her mentees' attendance and
peer contacts (her home page lists them), so the caseload, made of the care team's
clinical rhythm, is refused to her (403); evaluators and administrators have no
caseload at all (404)."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from doorway.caseload.models import DueItem, DuplicateNotice, Snooze
from doorway.enrolments.due import DueKind
from doorway.people.capabilities import Action
from doorway.testing.matrix import FORBIDDEN, NOT_FOUND, OK, Endpoint, by_capability, same_for

NOBODYS = ("eve", "ada")
CASE_MANAGERS = ("alice", "amira", "bianca", "oscar")


def _worker(name: str) -> Any:
    return lambda w, x: f"{reverse('caseload')}?worker={getattr(w, name).pk}"


ENDPOINTS = [
    Endpoint(
        "caseload",
        "GET",
        lambda w, x: reverse("caseload"),
        about_her=False,
        roles=by_capability(Action.SEE_CASELOADS, may_not=NOT_FOUND, pat=FORBIDDEN),
    ),
    Endpoint(
        "caseload",
        "GET",
        lambda w, x: f"{reverse('caseload')}?scope=team",
        about_her=False,
        roles=by_capability(Action.SEE_CASELOADS, may_not=NOT_FOUND, pat=FORBIDDEN),
    ),
    # A teammate's caseload: her team and her program manager, nobody else.
    Endpoint(
        "caseload",
        "GET",
        _worker("amira"),
        about_her=False,
        roles=same_for(
            ("alice", "amira", "morgan"),
            OK,
            bianca=NOT_FOUND,
            oscar=NOT_FOUND,
            olive=NOT_FOUND,
            pat=FORBIDDEN,
            eve=NOT_FOUND,
            ada=NOT_FOUND,
        ),
    ),
    # Another team's worker: refused to Alice and Amira.
    Endpoint(
        "caseload",
        "GET",
        _worker("bianca"),
        about_her=False,
        roles=same_for(
            ("alice", "amira", "oscar", "olive", "eve", "ada"),
            NOT_FOUND,
            bianca=OK,
            morgan=OK,
            pat=FORBIDDEN,
        ),
    ),
    Endpoint(
        "caseload_overview",
        "GET",
        lambda w, x: reverse("caseload_overview"),
        about_her=False,
        roles=by_capability(Action.BALANCE_CASELOADS, **dict.fromkeys(NOBODYS, NOT_FOUND)),
    ),
    # Closing notes never written for women long graduated: the program manager's list.
    Endpoint(
        "old_closing_notes",
        "GET",
        lambda w, x: reverse("old_closing_notes"),
        about_her=False,
        roles=by_capability(Action.BALANCE_CASELOADS, **dict.fromkeys(NOBODYS, NOT_FOUND)),
    ),
    # Snoozing one of her items: whoever works from a caseload and reaches her record.
    Endpoint(
        "caseload_snooze",
        "GET",
        lambda w, x: f"{reverse('caseload_snooze', args=[w.rosa_enrolment.pk])}?kind=contact",
        glass_reads=False,
    ),
    Endpoint(
        "caseload_snooze",
        "POST",
        lambda w, x: reverse("caseload_snooze", args=[w.rosa_enrolment.pk]),
        payload=lambda w, x: {
            "kind": "contact",
            "until": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
            "reason": "Away at her sister's this week",
        },
    ),
    Endpoint(
        "caseload_lift_snooze",
        "POST",
        lambda w, x: reverse("caseload_lift_snooze", args=[w.rosa_enrolment.pk]),
        payload=lambda w, x: {"snooze": str(x["snooze"].pk)},
    ),
    # A program manager's possible duplicates: hers alone to read and clear.
    Endpoint(
        "duplicate_notices",
        "GET",
        lambda w, x: reverse("duplicate_notices"),
        about_her=False,
        roles=by_capability(Action.CHECK_DUPLICATES, **dict.fromkeys(NOBODYS, NOT_FOUND)),
    ),
    Endpoint(
        "duplicate_notice_resolve",
        "POST",
        lambda w, x: reverse("duplicate_notice_resolve", args=[x["duplicate_notice"].pk]),
        payload=lambda w, x: {},
        about_her=False,
        roles=same_for(
            ("olive", *NOBODYS),
            NOT_FOUND,
            morgan=OK,
            **dict.fromkeys((*CASE_MANAGERS, "pat"), FORBIDDEN),
        ),
    ),
]


def setup(world: Any) -> dict[str, Any]:
    # Alice looked up a name matching Uma, whom she cannot open; Morgan reaches both.
    notice = DuplicateNotice.objects.create(
        recipient=world.morgan, worker=world.alice, match=world.uma
    )
    today = timezone.localdate()
    # Rosa's contact is overdue, and her plan review is snoozed.
    DueItem.objects.create(
        enrolment=world.rosa_enrolment,
        kind=DueKind.CONTACT,
        due_on=today - datetime.timedelta(days=3),
        label="Weekly contact",
    )
    DueItem.objects.create(
        enrolment=world.rosa_enrolment,
        kind=DueKind.PHASE_REVIEW,
        due_on=today - datetime.timedelta(days=1),
        label="Plan review",
    )
    snoozed = Snooze.objects.create(
        enrolment=world.rosa_enrolment,
        kind=DueKind.PHASE_REVIEW,
        until=today + datetime.timedelta(days=5),
        reason="Her review is booked with the team next week",
        snoozed_by=world.alice,
    )
    return {"duplicate_notice": notice, "snooze": snoozed}


def snapshot(world: Any) -> tuple[object, ...]:
    return (
        *DueItem.objects.filter(enrolment=world.rosa_enrolment).values_list("kind", "due_on"),
        *DuplicateNotice.objects.values_list("pk", "resolved_at"),
        *Snooze.objects.values_list("pk", "kind", "until", "lifted_at"),
    )

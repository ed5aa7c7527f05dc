"""Permission-matrix rows for contacts and case notes."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from doorway.casework.actions import record_contact
from doorway.casework.models import (
    ClosingNote,
    Contact,
    OutreachContact,
    SupervisionReview,
    SupervisionSession,
    TransferOfCare,
)
from doorway.casework.outreach import actions as outreach
from doorway.casework.supervision import actions as supervision
from doorway.casework.transfer import actions as transfer
from doorway.people.capabilities import Action
from doorway.testing.factories import CycleFactory, EnrolmentFactory
from doorway.testing.matrix import (
    NOT_FOUND,
    OK,
    Endpoint,
    by_capability,
    today,
)

# Outreach belongs to a program: everyone who works in it (peer mentors too) records
# and reads the log; evaluators and administrators get 404, as does another program.
OUTREACH_PAGE = by_capability(
    Action.WORK_OUTREACH, may_not=NOT_FOUND, olive=NOT_FOUND, oscar=NOT_FOUND
)
# Each works in a program of her own, so the outreach home takes her there.
OUTREACH_HOME = {**OUTREACH_PAGE, "olive": OK, "oscar": OK}
# Supervision of the North team (Alice and Amira): its members and Morgan, whose
# program they work in. Bianca is on South; Olive and Oscar are at another agency.
SUPERVISION_NORTH = by_capability(
    Action.TAKE_PART_IN_SUPERVISION, bianca=NOT_FOUND, olive=NOT_FOUND, oscar=NOT_FOUND
)
# Every case manager and program manager has a team to go to.
SUPERVISION_HOME = {**SUPERVISION_NORTH, "bianca": OK, "olive": OK, "oscar": OK}

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


ENDPOINTS += [
    Endpoint(
        "outreach_home",
        "GET",
        lambda w, x: reverse("outreach_home"),
        about_her=False,
        roles=OUTREACH_HOME,
    ),
    Endpoint(
        "outreach_log",
        "GET",
        lambda w, x: reverse("outreach_log", args=[w.program.pk]),
        about_her=False,
        roles=OUTREACH_PAGE,
    ),
    Endpoint(
        "outreach_record",
        "GET",
        lambda w, x: reverse("outreach_record", args=[w.program.pk]),
        about_her=False,
        roles=OUTREACH_PAGE,
    ),
    Endpoint(
        "outreach_record",
        "POST",
        lambda w, x: reverse("outreach_record", args=[w.program.pk]),
        lambda w, x: {
            "happened_on": today(),
            "kind": "street",
            "place": "East-end stroll",
            "women_reached": "3",
            "referrals_in": "1",
            "materials": ["food", "info_card"],
        },
        about_her=False,
        roles=OUTREACH_PAGE,
    ),
    # Linking outreach to her record: about her, the care team's.
    Endpoint(
        "outreach_link",
        "GET",
        lambda w, x: reverse("outreach_link", args=[w.rosa_enrolment.pk]),
        glass_reads=False,
    ),
    Endpoint(
        "outreach_link",
        "POST",
        lambda w, x: reverse("outreach_link", args=[w.rosa_enrolment.pk]),
        lambda w, x: {"link": "1", "contacts": [str(x["casework_unlinked_outreach"].pk)]},
    ),
    Endpoint(
        "outreach_unlink",
        "POST",
        lambda w, x: reverse(
            "outreach_unlink", args=[w.rosa_enrolment.pk, x["casework_linked_outreach"].pk]
        ),
        lambda w, x: {},
    ),
    Endpoint(
        "supervision_home",
        "GET",
        lambda w, x: reverse("supervision_home"),
        about_her=False,
        roles=SUPERVISION_HOME,
    ),
    Endpoint(
        "supervision_sessions",
        "GET",
        lambda w, x: reverse("supervision_sessions", args=[x["casework_north"].pk]),
        about_her=False,
        roles=SUPERVISION_NORTH,
    ),
    Endpoint(
        "supervision_record",
        "GET",
        lambda w, x: reverse("supervision_record", args=[x["casework_north"].pk]),
        about_her=False,
        roles=SUPERVISION_NORTH,
    ),
    Endpoint(
        "supervision_record",
        "POST",
        lambda w, x: reverse("supervision_record", args=[x["casework_north"].pk]),
        lambda w, x: {
            "held_on": today(),
            "led_by": str(w.morgan.pk),
            "attendees": [str(w.alice.pk), str(w.amira.pk)],
        },
        about_her=False,
        roles=SUPERVISION_NORTH,
    ),
    Endpoint(
        "supervision_session",
        "GET",
        lambda w, x: reverse("supervision_session", args=[x["casework_session"].pk]),
        about_her=False,
        roles=SUPERVISION_NORTH,
    ),
    Endpoint(
        "supervision_review_add",
        "GET",
        lambda w, x: reverse("supervision_review_add", args=[x["casework_session"].pk]),
        about_her=False,
        roles=SUPERVISION_NORTH,
    ),
    Endpoint(
        "supervision_review_add",
        "POST",
        lambda w, x: reverse("supervision_review_add", args=[x["casework_session"].pk]),
        lambda w, x: {"enrolment": str(w.rosa_enrolment.pk), "decisions": "Weekly calls"},
        about_her=False,
        roles=SUPERVISION_NORTH,
    ),
    # Transfer of care: on Rosa's enrolment in her program's last phase.
    Endpoint(
        "transfer_meeting",
        "GET",
        lambda w, x: reverse("transfer_meeting", args=[x["casework_closing"].pk]),
        glass_reads=False,
    ),
    Endpoint(
        "transfer_meeting",
        "POST",
        lambda w, x: reverse("transfer_meeting", args=[x["casework_closing"].pk]),
        lambda w, x: {"met_on": today(), "supports": "Her sister", "agreed": "Monthly calls"},
    ),
    Endpoint(
        "closing_note",
        "GET",
        lambda w, x: reverse("closing_note", args=[x["casework_closing"].pk]),
        glass_reads=False,
    ),
    Endpoint(
        "closing_note",
        "POST",
        lambda w, x: reverse("closing_note", args=[x["casework_closing"].pk]),
        lambda w, x: {"written_on": today(), "text": "She graduated well."},
    ),
    Endpoint(
        "closing_note_history",
        "GET",
        lambda w, x: reverse("closing_note_history", args=[x["casework_closing"].pk]),
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
    return {"contact": contact, **setup_outreach(world), **setup_supervision(world),
            **setup_transfer(world)}  # fmt: skip


def setup_outreach(world: Any) -> dict[str, Any]:
    def contact(place: str) -> OutreachContact:
        return outreach.record_outreach(
            world.program, by=world.pat, happened_on=timezone.localdate(), kind="street",
            place=place, women_reached=2, nickname="Sunny",
        )  # fmt: skip

    linked = contact("Shelter on the east side")
    outreach.link_outreach(world.rosa_enrolment, [linked], by=world.alice)
    return {
        "casework_linked_outreach": linked,
        "casework_unlinked_outreach": contact("Stroll by the park"),
    }


def setup_supervision(world: Any) -> dict[str, Any]:
    north = world.alice.teams.get()
    session = supervision.record_session(
        north, by=world.alice, held_on=timezone.localdate(), led_by=world.alice,
        attendees=[world.amira],
    )  # fmt: skip
    tess = world.tess.enrolments.get()
    supervision.add_review(session, by=world.amira, enrolment=tess, decisions="Keep going")
    return {"casework_north": north, "casework_session": session}


def setup_transfer(world: Any) -> dict[str, Any]:
    """A second enrolment of Rosa's, in her program's last phase, so that the transfer
    pages are open to the care team without moving her first enrolment."""
    closing = EnrolmentFactory(
        participant=world.rosa,
        cycle=CycleFactory(program=world.program, name="Cycle closing"),
        case_manager=world.alice,
        peer_mentor=world.pat,
        current_phase=world.program.active_phases().last(),
    )
    assert transfer.in_closing_stretch(closing)
    return {"casework_closing": closing}


def snapshot(world: Any) -> tuple[object, ...]:
    contacts = Contact.objects.filter(enrolment=world.rosa_enrolment)
    return (
        tuple(contacts.values_list("pk", "duration_minutes", "kind")),
        Contact.history.filter(enrolment_id=world.rosa_enrolment.pk).count(),
        tuple(OutreachContact.objects.order_by("pk").values_list("pk", "participant_id")),
        SupervisionSession.objects.count(),
        tuple(SupervisionReview.objects.order_by("pk").values_list("pk", "enrolment_id")),
        TransferOfCare.objects.count(),
        tuple(ClosingNote.objects.values_list("pk", "written_on", "edited_at")),
        ClosingNote.history.count(),
    )

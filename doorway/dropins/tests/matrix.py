"""Permission-matrix rows for drop-ins and groups. The /dropins/ pages are role pages
(a session is not about one woman): `roles` says what each person gets. Marking Rosa is
about her: whoever does not reach her gets 404."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from doorway.dropins.actions import start_session
from doorway.dropins.models import Attendance, GroupSession
from doorway.people.capabilities import Action
from doorway.testing.factories import (
    CycleFactory,
    EnrolmentFactory,
    ParticipantFactory,
    ProgramFactory,
)
from doorway.testing.matrix import NOT_FOUND, OK, Endpoint, by_capability, today

# Everyone who works in the program sees its sessions; the administrator reads them;
# the evaluator and the other agency's staff get 404.
OTHER_AGENCY = {"olive": NOT_FOUND, "oscar": NOT_FOUND}
READERS = by_capability(Action.SEE_SESSIONS, may_not=NOT_FOUND, **OTHER_AGENCY)
# Takers of attendance write; the administrator never does.
TAKERS = by_capability(Action.TAKE_ATTENDANCE, eve=NOT_FOUND, **OTHER_AGENCY)
# Olive and Oscar start sessions in their own program: the form refuses this one.
STARTERS = {**TAKERS, "olive": OK, "oscar": OK}
# Marking Rosa: those who reach her, and Bianca, who does not but works in her program
# (`permissions.markable`); not Olive or Oscar, of another agency.
MARK_ROSA = TAKERS
# Marking a woman of another of the agency's programs (Wren, Bianca's): only Bianca,
# who reaches her; the program's other workers do not.
MARK_WREN = {
    **TAKERS,
    "alice": NOT_FOUND,
    "amira": NOT_FOUND,
    "morgan": NOT_FOUND,
    "pat": NOT_FOUND,
}
# Marking Vera, of another agency: nobody at this agency's session.
MARK_VERA = {**TAKERS, **dict.fromkeys(["alice", "amira", "bianca", "morgan", "pat"], NOT_FOUND)}


def session_url(name: str) -> Any:
    return lambda w, x: reverse(name, args=[x["session"].pk])


ENDPOINTS = [
    Endpoint(
        "session_list",
        "GET",
        lambda w, x: reverse("session_list"),
        about_her=False,
        roles={**READERS, "olive": OK, "oscar": OK},
    ),
    Endpoint(
        "session_start",
        "GET",
        lambda w, x: reverse("session_start"),
        about_her=False,
        roles=STARTERS,
    ),
    Endpoint(
        "session_start",
        "POST",
        lambda w, x: reverse("session_start"),
        lambda w, x: {"program": w.program.pk, "kind": "drop_in", "held_on": today()},
        about_her=False,
        roles=STARTERS,
    ),
    Endpoint(
        "session_attendance",
        "GET",
        session_url("session_attendance"),
        about_her=False,
        roles=READERS,
    ),
    Endpoint(
        "attendance_mark",
        "POST",
        session_url("attendance_mark"),
        lambda w, x: {"enrolment": w.rosa_enrolment.pk, "attended": "1"},
        about_her=False,
        roles=MARK_ROSA,
    ),
    Endpoint(
        "attendance_mark",
        "POST",
        session_url("attendance_mark"),
        lambda w, x: {"enrolment": x["wren"].pk, "attended": "1"},
        about_her=False,
        roles=MARK_WREN,
    ),
    Endpoint(
        "attendance_mark",
        "POST",
        session_url("attendance_mark"),
        lambda w, x: {"enrolment": w.vera.enrolments.get().pk, "attended": "1"},
        about_her=False,
        roles=MARK_VERA,
    ),
    Endpoint(
        "attendance_anonymous",
        "POST",
        session_url("attendance_anonymous"),
        lambda w, x: {"change": "1"},
        about_her=False,
        roles=TAKERS,
    ),
    Endpoint(
        "walk_in_search",
        "POST",
        session_url("walk_in_search"),
        lambda w, x: {"q": "Rosa"},
        about_her=False,
        roles=TAKERS,
    ),
]


def setup(world: Any) -> dict[str, Any]:
    session = start_session(
        world.program, by=world.alice, kind="drop_in", held_on=timezone.localdate()
    )
    second = ProgramFactory(agency=world.agency, name="Second program", slug="second-program")
    wren = ParticipantFactory(
        preferred_name="Wren", agency=world.agency, registered_by=world.bianca
    )
    enrolment = EnrolmentFactory(
        participant=wren, cycle=CycleFactory(program=second), case_manager=world.bianca
    )
    return {"session": session, "wren": enrolment}


def snapshot(world: Any) -> tuple[object, ...]:
    return (
        tuple(GroupSession.objects.order_by("pk").values_list("pk", "anonymous_walk_ins")),
        tuple(Attendance.objects.order_by("pk").values_list("session_id", "enrolment_id")),
    )

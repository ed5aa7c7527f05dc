"""Demo drop-ins and groups: a weekly drop-in for the last few weeks and a
psycho-education group every other week, with attendance taken by each woman's own
case manager (through the same actions the pages use) and a few walk-ins without a
record. Deterministic for a given `rng`."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

from django.utils import timezone

from doorway.dropins.actions import count_anonymous, mark_attendance, start_session
from doorway.dropins.models import GroupSession, SessionKind
from doorway.enrolments.models import Enrolment
from doorway.people.models import User
from doorway.programs.models import Program

GROUP_TOPICS = [
    "Safety planning",
    "Budgeting and banking",
    "Healthy relationships",
    "Knowing your rights",
    "Managing stress and sleep",
    "Finding work: résumés and interviews",
    "Self-care and boundaries",
    "Housing: applications and tenancy",
]


def add_sessions(
    rng: random.Random,
    program: Program,
    enrolments: Sequence[Enrolment],
    facilitators: Sequence[User],
    *,
    today: datetime.date | None = None,
    weeks: int = 8,
) -> list[GroupSession]:
    """`facilitators`: the program's case managers and peer mentors (each must work in
    the program). Returns the sessions, oldest first."""
    today = min(today or timezone.localdate(), timezone.localdate())
    staff = list(facilitators)
    if not staff:
        return []
    open_ones = [e for e in enrolments if e.is_open and e.cycle.program_id == program.pk]
    sessions = []
    topics = list(GROUP_TOPICS)
    rng.shuffle(topics)
    for week in range(weeks, 0, -1):
        # Wednesday drop-in; a Friday group every other week.
        wednesday = today - datetime.timedelta(days=today.weekday() - 2 + 7 * week)
        plan = [(SessionKind.DROP_IN, wednesday, "")]
        if week % 2 == 0:
            plan.append(
                (
                    SessionKind.GROUP,
                    wednesday + datetime.timedelta(days=2),
                    topics[week % len(topics)],
                )
            )
        for kind, held_on, topic in plan:
            if held_on > today:
                continue
            lead = rng.choice(staff)
            session = start_session(
                program,
                by=lead,
                kind=kind,
                held_on=held_on,
                topic=topic,
                facilitators=rng.sample(staff, k=min(2, len(staff))),
            )
            eligible = [e for e in open_ones if e.referred_on <= held_on]
            share = 0.45 if kind == SessionKind.DROP_IN else 0.3
            for enrolment in eligible:
                if rng.random() < share:
                    mark_attendance(session, enrolment, by=enrolment.case_manager)
            for _ in range(rng.randint(0, 3)):
                count_anonymous(session, by=lead, change=1)
            sessions.append(session)
    return sessions

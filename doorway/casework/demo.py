"""Demo outreach, supervision and closing notes, added through the casework actions so
that the demo goes through the same checks and audit as the pages. Deterministic for a
given `random.Random`. The lead calls these from `doorway/demo.py`."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

from django.utils import timezone

from doorway.casework.actions import record_contact
from doorway.casework.models import (
    Contact,
    ContactKind,
    Material,
    OutreachContact,
    OutreachKind,
    is_late,
    late_after_days,
)
from doorway.casework.outreach import actions as outreach
from doorway.casework.supervision import actions as supervision
from doorway.casework.transfer import actions as transfer
from doorway.enrolments.models import Enrolment, ExitReason
from doorway.people.models import Team, User
from doorway.programs.models import Program

PLACES = {
    OutreachKind.STREET: ["East-end stroll", "Downtown stroll", "Near the bus terminal"],
    OutreachKind.IN_REACH: ["Women's shelter", "Detention centre", "Hospital emergency"],
    OutreachKind.PHONE_ONLINE: ["Text line", "Online classifieds outreach"],
}
NICKNAMES = ["Sunny", "Jade", "Star", "Cookie", "Red", "Lulu", "Bee", "Coco"]
DECISIONS = [
    "Keep weekly contact; accompany her to the housing appointment.",
    "Ready to try supports on her own: propose moving to the next phase.",
    "Safety plan reviewed; peer mentor to join the next drop-in with her.",
    "Referral to employment services stalled: call the partner this week.",
]
CLOSING = (
    "She completed the program and her long-term supports are in place. "
    "She knows how to reach us and agreed to the follow-up in one month."
)


def add_outreach(
    rng: random.Random,
    program: Program,
    workers: Sequence[User],
    enrolments: Sequence[Enrolment] = (),
    *,
    count: int = 40,
    today: datetime.date | None = None,
) -> list[OutreachContact]:
    """`count` outreach contacts over the last six months; some carry a nickname, and
    one or two earlier contacts are linked to each of `enrolments` (she consented)."""
    today = today or timezone.localdate()
    made = []
    for _ in range(count):
        kind = rng.choice(list(OutreachKind))
        reached = rng.randint(1, 8)
        made.append(
            outreach.record_outreach(
                program,
                by=rng.choice(list(workers)),
                happened_on=today - datetime.timedelta(days=rng.randint(0, 180)),
                kind=kind,
                place=rng.choice(PLACES[kind]),
                women_reached=reached,
                nickname=rng.choice(NICKNAMES) if rng.random() < 0.4 else "",
                materials=rng.sample([m.value for m in Material], rng.randint(0, 3)),
                referrals_in=rng.randint(0, min(2, reached)),
                note="Talked about the drop-in; took a card." if rng.random() < 0.3 else "",
            )
        )
    linkers = [w for w in workers if outreach.links_outreach(w)]
    pool = list(made)
    for enrolment in enrolments:
        # Only outreach from before she moved on from the pre-phase can be hers.
        until = outreach.outreach_until(enrolment)
        earlier = [c for c in pool if c.happened_on <= until]
        mine = [
            earlier.pop(rng.randrange(len(earlier)))
            for _ in range(min(len(earlier), rng.randint(1, 2)))
        ]
        by = enrolment.case_manager if outreach.links_outreach(enrolment.case_manager) else None
        by = by or (linkers[0] if linkers else None)
        if mine and by is not None:
            outreach.link_outreach(enrolment, mine, by=by)
            pool = [c for c in pool if c not in mine]
    return made


def add_supervision(
    rng: random.Random,
    team: Team,
    leader: User,
    *,
    weeks: int = 8,
    today: datetime.date | None = None,
) -> int:
    """A weekly session for the last `weeks` weeks, each reviewing two or three of the
    team's participants. Returns the number of reviews written."""
    today = today or timezone.localdate()
    members = list(team.members.all())
    reviews = 0
    for week in range(weeks, 0, -1):
        session = supervision.record_session(
            team,
            by=leader,
            held_on=today - datetime.timedelta(weeks=week),
            led_by=leader,
            attendees=members,
        )
        candidates = list(supervision.reviewable_for(session, leader).filter(exit_reason=""))
        for enrolment in rng.sample(candidates, min(len(candidates), rng.randint(2, 3))):
            supervision.add_review(
                session, by=leader, enrolment=enrolment, decisions=rng.choice(DECISIONS)
            )
            reviews += 1
    return reviews


def add_closing_notes(
    rng: random.Random, enrolments: Sequence[Enrolment], *, share: float = 0.7
) -> int:
    """A closing note for about `share` of the graduated `enrolments`, written by her
    case manager on or soon after the day she graduated; the rest stay due."""
    written = 0
    today = timezone.localdate()
    for enrolment in enrolments:
        if enrolment.exit_reason != ExitReason.GRADUATED or enrolment.exited_on is None:
            continue
        if rng.random() >= share:
            continue
        on = min(today, enrolment.exited_on + datetime.timedelta(days=rng.randint(0, 5)))
        transfer.write_closing_note(
            enrolment, by=enrolment.case_manager, written_on=on, text=CLOSING
        )
        written += 1
    return written


CONTACT_NOTES = [
    "Met at the drop-in; talked through the week and the next appointment.",
    "Phone check-in. She is keeping her appointments; nothing urgent.",
    "Went with her to the clinic. Follow-up booked for next month.",
    "Worked on her budget and the income-support forms together.",
    "Difficult week. Reviewed her safety plan; she knows who to call.",
    "Talked about what she wants from the next phase; she set the first step herself.",
]
WORKER_KINDS = [
    ContactKind.INDIVIDUAL_COUNSELLING,
    ContactKind.PHONE_OR_TEXT,
    ContactKind.ACCOMPANIMENT,
    ContactKind.OUTREACH_OR_HOME_VISIT,
    ContactKind.CBT_SESSION,
]


def add_contacts(
    rng: random.Random,
    enrolments: Sequence[Enrolment],
    *,
    today: datetime.date | None = None,
    most: int = 8,
) -> int:
    """Contacts for her current phase, about at its cadence, ending a random while ago so
    that some caseloads are behind; a peer contact now and then where she has a mentor.

    Notes are written the day of the contact: the demo backdates `recorded_at` to that
    day, so that only the contacts meant to be late are marked late (one in ten)."""
    today = today or timezone.localdate()
    made = 0
    for enrolment in enrolments:
        days = enrolment.current_phase.cadence_days
        if not enrolment.is_open or not days:
            continue
        # The last contact was up to one and a half cadences ago: some are overdue.
        day = today - datetime.timedelta(days=rng.randint(0, days + days // 2))
        dates: list[datetime.date] = []
        while day >= enrolment.phase_started_on and len(dates) < most:
            dates.append(day)
            day -= datetime.timedelta(days=max(1, days + rng.randint(-2, 2)))
        areas = list(enrolment.cycle.program.active_focus_areas())
        for on in reversed(dates):
            contact = record_contact(
                enrolment,
                by=enrolment.case_manager,
                happened_on=on,
                duration_minutes=rng.choice([20, 30, 45, 60, 90]),
                kind=rng.choice(WORKER_KINDS),
                focus_areas=rng.sample(areas, k=min(len(areas), rng.randint(1, 2))),
                note=rng.choice(CONTACT_NOTES),
            )
            late = rng.random() < 0.1
            written = datetime.datetime.combine(
                on + datetime.timedelta(days=late_after_days() + 2 if late else 0),
                datetime.time(17, 0),
                tzinfo=timezone.get_current_timezone(),
            )
            written = min(written, timezone.now())
            Contact.objects.filter(pk=contact.pk).update(
                recorded_at=written, is_late=is_late(on, written)
            )
            made += 1
            if enrolment.peer_mentor is not None and rng.random() < 0.3:
                record_contact(
                    enrolment,
                    by=enrolment.peer_mentor,
                    happened_on=on,
                    duration_minutes=rng.choice([30, 60]),
                    kind=ContactKind.PEER_CONTACT,
                )
                made += 1
    return made

"""The casework of the demo's finished cycles (Cycles 1-4), written as a program that
keeps the CTI model would have written it while each woman was in the program: a
service plan and a phase plan for each CTI phase, contacts at each phase's cadence
(many in the community in phase 1), referrals to partners made in phase 1 and followed
in phase 2, weekly drop-ins, and each team's weekly supervision. Everything goes
through the actions the pages use, dated inside her stay in the phase.

Not every record a model program would keep is here: a contact is now and then
missed, a phase plan now and then not written, a referral sometimes goes nowhere, so
that the fidelity figures show a program that mostly keeps the model and name the few
who fall short.

Deterministic: each woman's records come from her own generator (`rng_for`), seeded by
her name, so that they never move the dates, assessments or costs that reproduce the
published figures, which come from the demo's other generators.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from doorway.casework.actions import record_contact
from doorway.casework.demo import CONTACT_NOTES
from doorway.casework.models import Contact, ContactKind, is_late, late_after_days
from doorway.casework.supervision.actions import record_session
from doorway.dropins.actions import count_anonymous, mark_attendance, start_session
from doorway.dropins.models import GroupSession, SessionKind
from doorway.enrolments.models import Enrolment
from doorway.people.models import Team, User
from doorway.plans.actions import save_service_plan, set_phase_plan
from doorway.plans.demo import WISHES
from doorway.programs.models import FocusArea, KeyIngredient, Phase, Program
from doorway.referrals.actions import make_referral, partners_for, update_referral
from doorway.referrals.models import SERVICE_KINDS, ReferralStatus

SEED = "exit-doors-here-history"

# Kinds of contact and their weights: in phase 1 much of it in the community (outreach
# or home visits, accompaniments), later more by phone and in the office.
K = ContactKind
PHASE_1_KINDS = {
    K.OUTREACH_OR_HOME_VISIT: 25,
    K.ACCOMPANIMENT: 20,
    K.INDIVIDUAL_COUNSELLING: 25,
    K.PHONE_OR_TEXT: 15,
    K.CBT_SESSION: 10,
    K.CRISIS_SUPPORT: 5,
}
LATER_KINDS = {
    K.OUTREACH_OR_HOME_VISIT: 10,
    K.ACCOMPANIMENT: 10,
    K.INDIVIDUAL_COUNSELLING: 30,
    K.PHONE_OR_TEXT: 35,
    K.CBT_SESSION: 10,
    K.CRISIS_SUPPORT: 5,
}
# The chance that a contact due at the phase's cadence did not happen.
MISSED_CONTACT = 0.1
# The chance that a phase plan was not written for a phase.
MISSED_PHASE_PLAN = 0.05
# The chance that a contact note was written late (more than the allowed days after).
LATE_NOTE = 0.1
# How often she comes to the weekly drop-in, one habit per woman: never, now and
# then, about monthly, about every other week, most weeks.
DROP_IN_HABITS = [0.0, 0.05, 0.15, 0.3, 0.55]
# Referrals made in phase 1: how many, with their weights.
REFERRALS_IN_PHASE_1 = {0: 8, 1: 60, 2: 32}
S = ReferralStatus
REFERRAL_PATHS = [
    ([S.ACCEPTED, S.FIRST_APPOINTMENT, S.SERVICE_RECEIVED, S.CLOSED], 45),
    ([S.ACCEPTED, S.FIRST_APPOINTMENT, S.SERVICE_RECEIVED], 25),
    ([S.ACCEPTED, S.FIRST_APPOINTMENT, S.CLOSED], 10),
    ([S.DECLINED], 10),
    ([S.ACCEPTED, S.NO_SHOW], 10),
]
REFERRAL_NOTES = {
    S.ACCEPTED: "Partner confirmed; appointment booked.",
    S.FIRST_APPOINTMENT: "She went; went with her to the first one.",
    S.SERVICE_RECEIVED: "Service in place; checked in with the partner.",
    S.CLOSED: "Nothing more needed from this referral.",
    S.DECLINED: "Partner has no space this month.",
    S.NO_SHOW: "She did not go; will talk it through at the next contact.",
}
# Days from a referral's last news to its next: the partner answers within a couple of
# weeks, the first appointment takes longer, and the service runs for weeks before it
# is closed.
REFERRAL_GAPS = {
    S.ACCEPTED: (5, 15),
    S.DECLINED: (5, 15),
    S.FIRST_APPOINTMENT: (10, 30),
    S.NO_SHOW: (10, 30),
    S.SERVICE_RECEIVED: (20, 45),
    S.CLOSED: (30, 60),
}
DROP_IN_DAY = 2  # Wednesday
SUPERVISION_DAY = 1  # Tuesday


@dataclass(frozen=True)
class PhaseStay:
    """Her time in one CTI phase: from `start` to the day before `end`."""

    phase: Phase
    start: datetime.date
    end: datetime.date


def rng_for(legal_name: str) -> random.Random:
    return random.Random(f"{SEED}:{legal_name}")  # noqa: S311 - reproducible demo data


def _weighted[T](rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def record_history(
    enrolment: Enrolment,
    stays: Sequence[PhaseStay],
    rng: random.Random,
    *,
    facilitators: Sequence[User],
) -> None:
    """Her casework in each of her CTI phases, while her enrolment is still open (her
    exit comes after). `facilitators`: the program's staff who run the drop-in."""
    if not stays:
        return
    worker = enrolment.case_manager
    program = enrolment.cycle.program
    areas = list(program.active_focus_areas())
    tags = {k.slug: k for k in KeyIngredient.objects.filter(program=program)}
    habit = rng.choice(DROP_IN_HABITS)
    first = stays[0]
    save_service_plan(
        enrolment,
        by=worker,
        agreed_on=_inside(first, rng.randint(1, 10)),
        her_words=rng.choice(WISHES),
    )
    for index, stay in enumerate(stays):
        chosen = rng.sample(areas, k=rng.randint(1, 3))
        if rng.random() >= MISSED_PHASE_PLAN:
            set_phase_plan(
                enrolment,
                by=worker,
                phase=stay.phase,
                focus_areas=chosen,
                agreed_on=_inside(stay, rng.randint(0, 10)),
            )
        _contacts(enrolment, stay, rng, chosen, tags, first_phase=index == 0)
        _drop_ins(enrolment, stay, rng, habit, program, facilitators)
    _referrals(enrolment, first, stays[-1].end, rng)


def _inside(stay: PhaseStay, days: int) -> datetime.date:
    """`days` into the stay, or its last day if it is shorter."""
    return min(stay.start + datetime.timedelta(days=days), stay.end - datetime.timedelta(days=1))


def _contacts(
    enrolment: Enrolment,
    stay: PhaseStay,
    rng: random.Random,
    areas: list[FocusArea],
    tags: dict[str, KeyIngredient],
    *,
    first_phase: bool,
) -> None:
    every = stay.phase.cadence_days or 30
    kinds = PHASE_1_KINDS if first_phase else LATER_KINDS
    day = stay.start + datetime.timedelta(days=rng.randint(0, 3))
    while day < stay.end:
        if rng.random() >= MISSED_CONTACT:
            kind = _weighted(rng, kinds)
            ingredients = []
            if kind == K.ACCOMPANIMENT or rng.random() < 0.15:
                ingredients.append(tags["connecting-with-community-supports"])
            if first_phase and rng.random() < 0.4:
                ingredients.append(tags["trust-building"])
            contact = record_contact(
                enrolment,
                by=enrolment.case_manager,
                happened_on=day,
                duration_minutes=rng.choice([20, 30, 45, 60, 90]),
                kind=kind,
                focus_areas=rng.sample(areas, k=min(len(areas), rng.randint(1, 2))),
                ingredients=ingredients,
                note=rng.choice(CONTACT_NOTES),
            )
            # Written on the day, or now and then late, as the current intake's are.
            late = rng.random() < LATE_NOTE
            written = datetime.datetime.combine(
                day + datetime.timedelta(days=late_after_days() + 2 if late else 0),
                datetime.time(17, 0),
                tzinfo=timezone.get_current_timezone(),
            )
            Contact.objects.filter(pk=contact.pk).update(
                recorded_at=written, is_late=is_late(day, written)
            )
        day += datetime.timedelta(days=max(1, every + rng.randint(-2, 2)))


def _wednesdays(stay: PhaseStay) -> list[datetime.date]:
    first = stay.start + datetime.timedelta(days=(DROP_IN_DAY - stay.start.weekday()) % 7)
    return [
        first + datetime.timedelta(weeks=n) for n in range(max(0, (stay.end - first).days + 6) // 7)
    ]


def _drop_ins(
    enrolment: Enrolment,
    stay: PhaseStay,
    rng: random.Random,
    habit: float,
    program: Program,
    facilitators: Sequence[User],
) -> None:
    for day in _wednesdays(stay):
        if day >= stay.end or rng.random() >= habit:
            continue
        session = drop_in_on(program, day, facilitators)
        mark_attendance(session, enrolment, by=enrolment.case_manager)


def drop_in_on(program: Program, day: datetime.date, staff: Sequence[User]) -> GroupSession:
    """The program's drop-in held on `day`, started the first time a woman came to it
    (who ran it and the walk-ins without a record drawn from the day alone)."""
    found = GroupSession.objects.filter(
        program=program, kind=SessionKind.DROP_IN, held_on=day
    ).first()
    if found is not None:
        return found
    rng = random.Random(f"{SEED}:drop-in:{day.isoformat()}")  # noqa: S311
    lead = rng.choice(list(staff))
    session = start_session(
        program,
        by=lead,
        kind=SessionKind.DROP_IN,
        held_on=day,
        facilitators=rng.sample(list(staff), k=min(2, len(staff))),
    )
    for _ in range(rng.randint(0, 3)):
        count_anonymous(session, by=lead, change=1)
    return session


def _referrals(
    enrolment: Enrolment, phase_1: PhaseStay, until: datetime.date, rng: random.Random
) -> None:
    """Referrals made during phase 1, without her information (her consent to share
    with a partner comes later, in phase 2), and the partner's news after them until
    she left."""
    kinds = dict(SERVICE_KINDS)
    # Partners offering a kind of service a referral names.
    partners = [p for p in partners_for(enrolment) if any(k in kinds for k in p.services)]
    for _ in range(_weighted(rng, REFERRALS_IN_PHASE_1)):
        partner = rng.choice(partners)
        offered = [k for k in partner.services if k in kinds]
        made_on = _inside(phase_1, rng.randint(7, 60))
        referral = make_referral(
            enrolment,
            by=enrolment.case_manager,
            partner=partner,
            service_kind=rng.choice(offered),
            shares_information=False,
            made_on=made_on,
            note="Called the intake line together; they will call back.",
        )
        path = rng.choices([p for p, _ in REFERRAL_PATHS], [w for _, w in REFERRAL_PATHS])[0]
        day = made_on
        for status in path:
            day += datetime.timedelta(days=rng.randint(*REFERRAL_GAPS[status]))
            if day >= until:
                break
            update_referral(
                referral,
                by=enrolment.case_manager,
                status=status,
                dated_on=day,
                note=REFERRAL_NOTES[status],
            )


def record_supervision(
    teams: Sequence[tuple[Team, User]], first: datetime.date, last: datetime.date
) -> int:
    """Each team's supervision, every week from the week of `first` to the week of
    `last`, led by its lead with the whole team. Returns the sessions written."""
    monday = first - datetime.timedelta(days=first.weekday())
    last = min(last, timezone.localdate() - datetime.timedelta(days=SUPERVISION_DAY))
    written = 0
    while monday <= last:
        for team, lead in teams:
            record_session(
                team,
                by=lead,
                held_on=monday + datetime.timedelta(days=SUPERVISION_DAY),
                led_by=lead,
                attendees=list(team.members.all()),
            )
            written += 1
        monday += datetime.timedelta(weeks=1)
    return written

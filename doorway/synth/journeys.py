"""First pass: each woman's journey as dates only, before anything is written.

Knowing every journey first lets the run size the staff to the caseloads left open
today, and spread about 50 contacts per participant over the days each was in the
program. A journey follows the phase machine: she consents before she leaves the
first phase, is found eligible before a phase that needs it, moves one phase at a
time, and leaves (graduating only from the last phase) or is still in a phase today.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from doorway.enrolments.models import Eligibility, ExitReason, ReferralSource
from doorway.synth.world import ProgramInfo, first_cycle_start
from doorway.synth.writer import Id, new_uuid

DAY = datetime.timedelta(days=1)

# Contacts a day in each phase (by position): rarer while making the connection, most
# often at intake, fewer as support steps back.
CONTACT_RATE = (1 / 10, 1 / 3.5, 1 / 5, 1 / 8)
CONTACTS_PER_PARTICIPANT = 50

REFERRAL_SOURCES = [
    (ReferralSource.STREET_OUTREACH, 35),
    (ReferralSource.HOST_ORGANISATION, 20),
    (ReferralSource.SELF, 15),
    (ReferralSource.LEGAL_NETWORK, 12),
    (ReferralSource.ANTI_TRAFFICKING, 10),
    (ReferralSource.OTHER, 8),
]
# Who leaves from each phase (by position), and why; the rest move on. Shares of those
# who reach the phase.
W, L, T = ExitReason.WITHDREW, ExitReason.LOST_CONTACT, ExitReason.TRANSFERRED
LEAVING: list[tuple[float, list[tuple[str, int]]]] = [
    (0.08, [(L, 80), (W, 20)]),
    (0.09, [(W, 45), (L, 45), (T, 10)]),
    (0.15, [(W, 40), (L, 44), (T, 14), (ExitReason.DECEASED, 2)]),
    (0.06, [(W, 40), (L, 30), (T, 30)]),
]
NOT_ELIGIBLE_SHARE = 0.06
EVALUATION_SHARE = 0.65
RETURNS_SHARE = 0.25  # of those who withdrew or were lost: referred again later


def weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    total = sum(w for _, w in pairs)
    pick = rng.uniform(0, total)
    for value, weight in pairs:
        pick -= weight
        if pick <= 0:
            return value
    return pairs[-1][0]


@dataclass
class Journey:
    id: Id
    info: ProgramInfo
    cycle_id: Id
    referral_source: str
    referred_on: datetime.date
    # The day she entered each phase she reached, by position (the first: her referral).
    entered: list[datetime.date]
    consent_on: datetime.date | None = None
    intake_on: datetime.date | None = None  # the intake assessment
    eligibility: str = Eligibility.PENDING
    eligibility_on: datetime.date | None = None
    exit_reason: str = ""
    exited_on: datetime.date | None = None
    evaluation: bool = False
    withdraws_evaluation: bool = False
    seed: int = 0
    # Filled when the staff exist.
    case_manager: int = 0  # index into info.case_managers
    peer_mentor: bool = False
    contacts: int = 0

    @property
    def is_open(self) -> bool:
        return not self.exit_reason

    @property
    def phase(self) -> int:
        return len(self.entered) - 1

    def last_day(self, today: datetime.date) -> datetime.date:
        return self.exited_on or today - DAY

    def segments(self, today: datetime.date) -> list[tuple[int, datetime.date, datetime.date]]:
        """(phase position, first day, last day) of each phase she was in."""
        end = self.last_day(today)
        out = []
        for i, start in enumerate(self.entered):
            stop = self.entered[i + 1] - DAY if i + 1 < len(self.entered) else end
            out.append((i, start, max(start, stop)))
        return out

    def contact_weight(self, today: datetime.date) -> float:
        return sum(
            ((stop - start).days + 1) * CONTACT_RATE[min(i, len(CONTACT_RATE) - 1)]
            for i, start, stop in self.segments(today)
        )


@dataclass
class Person:
    seed: int
    info: ProgramInfo
    journeys: list[Journey] = field(default_factory=list)


def plan_people(
    rng: random.Random, infos: list[ProgramInfo], participants: int, today: datetime.date
) -> list[Person]:
    """Every participant's journeys, drawn in a fixed order from `rng`."""
    first = first_cycle_start(today)
    last = today - datetime.timedelta(days=2)
    span = (last - first).days
    total_weight = sum(i.weight for i in infos)
    people = []
    for _ in range(participants):
        seed = rng.getrandbits(64)
        pick = rng.uniform(0, total_weight)
        info = infos[-1]
        for candidate in infos:
            pick -= candidate.weight
            if pick <= 0:
                info = candidate
                break
        own = random.Random(seed)  # noqa: S311 - reproducible synthetic data
        person = Person(seed=seed, info=info)
        referred = first + datetime.timedelta(days=own.randint(0, span))
        journey = plan_journey(own, info, referred, today)
        person.journeys.append(journey)
        if journey.exit_reason in (ExitReason.WITHDREW, ExitReason.LOST_CONTACT) and (
            own.random() < RETURNS_SHARE
        ):
            again = journey.last_day(today) + datetime.timedelta(days=own.randint(60, 400))
            if again < last:
                person.journeys.append(plan_journey(own, info, again, today))
        people.append(person)
    spread_contacts(people, today, participants)
    return people


def plan_journey(
    rng: random.Random, info: ProgramInfo, referred: datetime.date, today: datetime.date
) -> Journey:
    last = today - DAY  # nothing is dated today or later: every step has happened
    journey = Journey(
        id=new_uuid(rng),
        info=info,
        cycle_id=info.cycle_on(referred).pk,
        referral_source=weighted(rng, [(str(s), w) for s, w in REFERRAL_SOURCES]),
        referred_on=referred,
        entered=[referred],
        seed=rng.getrandbits(64),
    )
    phases = info.phases

    def leave(reason: str, on: datetime.date) -> None:
        if on <= last:
            journey.exit_reason, journey.exited_on = reason, on

    def leaves_from(position: int) -> str:
        share, reasons = LEAVING[min(position, len(LEAVING) - 1)]
        return weighted(rng, reasons) if rng.random() < share else ""

    # Making the connection, until she consents to service.
    consent = referred + datetime.timedelta(days=rng.randint(3, 28))
    if reason := leaves_from(0):
        leave(reason, referred + datetime.timedelta(days=rng.randint(10, 60)))
        return journey
    if consent > last:
        return journey
    journey.consent_on = consent
    journey.entered.append(consent)
    journey.evaluation = rng.random() < EVALUATION_SHARE
    intake = consent + datetime.timedelta(days=rng.randint(1, 7))
    if intake > last:
        return journey
    journey.intake_on = intake
    decided = intake + datetime.timedelta(days=rng.randint(0, 7))
    if decided > last:
        return journey
    journey.eligibility_on = decided
    if rng.random() < NOT_ELIGIBLE_SHARE:
        journey.eligibility = Eligibility.NOT_ELIGIBLE
        leave(ExitReason.NOT_ELIGIBLE, decided)
        return journey
    journey.eligibility = Eligibility.ELIGIBLE
    for position in range(1, len(phases)):
        started = journey.entered[position]
        expected = phases[position].expected_days or 90
        ends = started + datetime.timedelta(days=round(expected * rng.uniform(0.75, 1.3)))
        if position == 1:
            ends = max(ends, decided + DAY)
        if reason := leaves_from(position):
            leaves = started + datetime.timedelta(days=rng.randint(7, max(8, expected)))
            leave(reason, max(leaves, decided))
            break
        if ends > last:
            break  # still in this phase today
        if position + 1 < len(phases):
            journey.entered.append(ends)
        else:
            leave(ExitReason.GRADUATED, ends)
    if journey.exit_reason and journey.evaluation and rng.random() < 0.04:
        journey.withdraws_evaluation = True
    return journey


def spread_contacts(people: list[Person], today: datetime.date, participants: int) -> None:
    """About CONTACTS_PER_PARTICIPANT per participant on average, each journey's share
    by its days in each phase and that phase's pace."""
    journeys = [j for p in people for j in p.journeys]
    weights = [j.contact_weight(today) for j in journeys]
    total = sum(weights) or 1.0
    target = CONTACTS_PER_PARTICIPANT * participants
    for journey, weight in zip(journeys, weights, strict=True):
        rng = random.Random(journey.seed ^ 0x5EED)  # noqa: S311
        mean = target * weight / total
        journey.contacts = max(0, round(rng.gauss(mean, mean * 0.15)))


def open_counts(people: list[Person]) -> dict[Id, int]:
    counts: dict[Id, int] = {}
    for person in people:
        for journey in person.journeys:
            if journey.is_open:
                pk = journey.info.program.pk
                counts[pk] = counts.get(pk, 0) + 1
    return counts


def assign_staff(rng: random.Random, people: list[Person]) -> None:
    """Open caseloads dealt out evenly, one woman at a time, to each program's case
    managers; women who have left went to any of them. Some have a peer mentor (her
    case manager's team's)."""
    dealt: dict[Id, int] = {}
    for person in people:
        for journey in person.journeys:
            info = journey.info
            count = len(info.case_managers)
            if journey.is_open:
                n = dealt.get(info.program.pk, 0)
                journey.case_manager = n % count
                dealt[info.program.pk] = n + 1
                journey.peer_mentor = journey.phase >= 1 and rng.random() < 0.45
            else:
                journey.case_manager = rng.randrange(count)
                journey.peer_mentor = journey.phase >= 1 and rng.random() < 0.3

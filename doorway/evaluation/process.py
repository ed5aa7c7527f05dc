"""How the program was delivered, computed from the records: reach, retention through the
phases, time in each phase, contact cadence kept, drop-in attendance, referrals, and
progress by drop-in attendance (a dose-response table).

Who counts: reach counts every referral into the cohort; the delivery figures count
everyone enrolled (a count says nothing about her); the dose-response table is an
outcome, so it counts only the women whose consent to the evaluation is in force.

Everything is read in a fixed number of queries, whatever the number of participants:
rows come back as plain values (never the encrypted free text) and are put together
here. `journeys()` is shared with `doorway.evaluation.fidelity`.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from doorway.enrolments.models import (
    Eligibility,
    Enrolment,
    EventKind,
    ExitReason,
    JourneyEvent,
    ReferralSource,
)
from doorway.evaluation.cohort import (
    Cohort,
    all_enrolments,
    enrolled_enrolments,
    evaluation_enrolments,
)
from doorway.programs.models import ContactCadence, Phase

# Phase moves that put her in a phase (a reopening leaves her where she was).
ENTRIES = (EventKind.REFERRED, EventKind.ADVANCED, EventKind.SKIPPED)
# Drop-in attendance bands for the dose-response table: (label, lowest, highest or None).
ATTENDANCE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("none", 0, 0),
    ("1-4", 1, 4),
    ("5-9", 5, 9),
    ("10-19", 10, 19),
    ("20 or more", 20, None),
)
# A referral is completed when she received the service.
COMPLETED_STATUS = "service_received"

DEFINITIONS = [
    {
        "term": "CTI phases",
        "text": "The program's phases with an expected length, in order; phase 1 is the "
        "first of them. An open-ended phase before it (making the connection) is outreach, "
        "not CTI.",
    },
    {
        "term": "Reached a phase",
        "text": "She was moved into the phase (on referral, by a move or by skipping ahead).",
    },
    {
        "term": "Time in a phase",
        "text": "Days from the day she entered the phase to the day she entered the next or "
        "left the program; phases she is still in are counted apart, as ongoing.",
    },
    {
        "term": "Contact cadence kept",
        "text": "Her time in a phase is cut into consecutive periods of the phase's "
        "cadence (7 days weekly, 14 every two weeks, 30 monthly) from the day she entered "
        "it; the share of complete periods with at least one recorded contact with her "
        "care team. Phases with contact as needed are not counted.",
    },
    {
        "term": "Intake",
        "text": "A referral that reached CTI phase 1.",
    },
    {
        "term": "Enrolled",
        "text": "Every referral except women found not eligible.",
    },
    {
        "term": "Referral completed",
        "text": "A referral to a partner agency through which she received the service.",
    },
    {
        "term": "Progressed (dose-response)",
        "text": "Progressed in at least one focus area, as the outcome tables define it "
        "(latest later rating above the intake baseline); only women with a baseline and a "
        "later rating in some area, and consent to the evaluation, are counted. Drop-in "
        "attendance counts weekly drop-in sessions she was marked present at.",
    },
]


# --- her journey, from the records -----------------------------------------------------


@dataclass
class Stay:
    """Her time in one phase: from `start` to `end` (the next entry or her exit), or to
    today while she is still in it (`ongoing`)."""

    phase_id: UUID
    start: datetime.date
    end: datetime.date
    ongoing: bool

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def holds(self, day: datetime.date) -> bool:
        return self.start <= day < self.end or (self.ongoing and day == self.end)


@dataclass
class Journey:
    id: UUID
    code: str
    referral_source: str
    referred_on: datetime.date
    eligibility: str
    exit_reason: str
    exited_on: datetime.date | None
    exited_from: UUID | None
    case_manager_id: Any
    stays: dict[UUID, Stay] = field(default_factory=dict)

    def stay(self, phase_id: UUID | None) -> Stay | None:
        return self.stays.get(phase_id) if phase_id is not None else None


@dataclass(frozen=True)
class PhaseInfo:
    id: UUID
    order: int
    name: str
    expected_days: int | None
    cadence_days: int | None


def cti_phases(cohort: Cohort) -> list[PhaseInfo]:
    """The program's active phases with an expected length, in order (one query)."""
    rows = (
        Phase.objects.filter(program=cohort.program, retired=False, expected_days__isnull=False)
        .order_by("order")
        .values_list("id", "order", "name", "expected_days", "contact_cadence")
    )
    return [
        PhaseInfo(pk, order, name, days, ContactCadence(cadence).days)
        for pk, order, name, days, cadence in rows
    ]


def journeys(
    enrolments: QuerySet[Enrolment], today: datetime.date | None = None
) -> dict[UUID, Journey]:
    """Each enrolment's stays in its phases, in two queries."""
    today = today or timezone.localdate()
    found: dict[UUID, Journey] = {}
    for row in enrolments.values(
        "id",
        "participant__code",
        "referral_source",
        "referred_on",
        "eligibility",
        "exit_reason",
        "exited_on",
        "case_manager_id",
    ).order_by("participant__code", "referred_on"):
        found[row["id"]] = Journey(
            id=row["id"],
            code=row["participant__code"],
            referral_source=row["referral_source"],
            referred_on=row["referred_on"],
            eligibility=row["eligibility"],
            exit_reason=row["exit_reason"],
            exited_on=row["exited_on"],
            exited_from=None,
            case_manager_id=row["case_manager_id"],
        )
    events = (
        JourneyEvent.objects.filter(enrolment__in=enrolments.values("pk"))
        .filter(Q(kind__in=ENTRIES) | Q(kind=EventKind.EXITED))
        .order_by("effective_on", "recorded_at")
        .values_list("enrolment_id", "kind", "to_phase_id", "from_phase_id", "effective_on")
    )
    entries: dict[UUID, list[tuple[UUID, datetime.date]]] = defaultdict(list)
    for enrolment_id, kind, to_phase, from_phase, on in events:
        journey = found.get(enrolment_id)
        if journey is None:
            continue
        if kind == EventKind.EXITED:
            journey.exited_from = from_phase  # the last exit is the one that stands
        elif to_phase is not None and to_phase not in {p for p, _ in entries[enrolment_id]}:
            entries[enrolment_id].append((to_phase, on))
    for enrolment_id, journey in found.items():
        steps = entries[enrolment_id]
        for index, (phase_id, start) in enumerate(steps):
            if index + 1 < len(steps):
                journey.stays[phase_id] = Stay(phase_id, start, steps[index + 1][1], False)
            elif journey.exit_reason and journey.exited_on is not None:
                journey.stays[phase_id] = Stay(phase_id, start, journey.exited_on, False)
            else:
                journey.stays[phase_id] = Stay(phase_id, start, max(start, today), True)
    return found


def contacts_by_enrolment(
    enrolments: QuerySet[Enrolment],
) -> dict[UUID, list[tuple[datetime.date, str]]]:
    """(date, kind) of every contact with each of them, oldest first (one query)."""
    from doorway.casework.models import Contact

    found: dict[UUID, list[tuple[datetime.date, str]]] = defaultdict(list)
    rows = (
        Contact.objects.filter(enrolment__in=enrolments.values("pk"))
        .order_by("happened_on")
        .values_list("enrolment_id", "happened_on", "kind")
    )
    for enrolment_id, on, kind in rows:
        found[enrolment_id].append((on, kind))
    return found


def summary(values: Sequence[float | int]) -> dict[str, Any]:
    """n, mean, median, lowest and highest (None when there are none)."""
    if not values:
        return {"n": 0, "mean": None, "median": None, "min": None, "max": None}
    return {
        "n": len(values),
        "mean": round(statistics.fmean(values), 1),
        "median": round(float(statistics.median(values)), 1),
        "min": min(values),
        "max": max(values),
    }


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def share(part: int, whole: int) -> dict[str, Any]:
    """A share, always with its numerator and denominator."""
    return {"n": part, "of": whole, "percent": percent(part, whole)}


# --- the sections of the report --------------------------------------------------------


def _reach(everyone: dict[UUID, Journey], enrolled: set[UUID], phase1: UUID | None) -> dict:
    by_source = Counter(j.referral_source for j in everyone.values())
    decided = [j for j in everyone.values() if j.eligibility != Eligibility.PENDING]
    eligible = sum(1 for j in decided if j.eligibility == Eligibility.ELIGIBLE)
    intakes = sum(1 for j in everyone.values() if phase1 is not None and phase1 in j.stays)
    return {
        "referrals_in": len(everyone),
        "by_source": [
            {"source": value, "label": str(label), "count": by_source.get(value, 0)}
            for value, label in ReferralSource.choices
        ],
        "intakes": intakes,
        "eligible": share(eligible, len(decided)),
        "eligibility_pending": len(everyone) - len(decided),
        "enrolled": share(len(enrolled), len(everyone)),
    }


def _retention(people: list[Journey], phases: list[PhaseInfo]) -> list[dict]:
    rows = []
    for phase in phases:
        in_it = [j for j in people if phase.id in j.stays]
        exits = Counter(j.exit_reason for j in in_it if j.exit_reason and j.exited_from == phase.id)
        rows.append(
            {
                "phase": phase.name,
                "order": phase.order,
                "reached": len(in_it),
                "still_in_it": sum(1 for j in in_it if j.stays[phase.id].ongoing),
                "exits": {reason: exits.get(reason, 0) for reason in ExitReason.values},
            }
        )
    return rows


def _time_in_phase(people: list[Journey], phases: list[PhaseInfo]) -> list[dict]:
    rows = []
    for phase in phases:
        stays = [j.stays[phase.id] for j in people if phase.id in j.stays]
        done = [s.days for s in stays if not s.ongoing]
        expected = phase.expected_days
        rows.append(
            {
                "phase": phase.name,
                "expected_days": expected,
                "completed": summary(done),
                "within_expected": share(
                    sum(1 for d in done if expected and d <= expected), len(done)
                )
                if expected
                else None,
                "ongoing": len(stays) - len(done),
            }
        )
    return rows


def cadence_periods(
    stay: Stay, every: int, contact_days: Iterable[datetime.date]
) -> tuple[int, int]:
    """(complete periods of `every` days in the stay, those with a contact)."""
    periods = stay.days // every
    if periods <= 0:
        return 0, 0
    kept = set()
    for day in contact_days:
        offset = (day - stay.start).days
        if 0 <= offset < periods * every:
            kept.add(offset // every)
    return periods, len(kept)


def _cadence(
    people: list[Journey],
    phases: list[PhaseInfo],
    contacts: dict[UUID, list[tuple[datetime.date, str]]],
) -> list[dict]:
    rows = []
    for phase in phases:
        if phase.cadence_days is None:
            continue
        total = kept = 0
        per_person = []
        for j in people:
            stay = j.stays.get(phase.id)
            if stay is None:
                continue
            periods, with_contact = cadence_periods(
                stay, phase.cadence_days, (d for d, _ in contacts.get(j.id, []))
            )
            if periods:
                total += periods
                kept += with_contact
                per_person.append(100 * with_contact / periods)
        rows.append(
            {
                "phase": phase.name,
                "cadence_days": phase.cadence_days,
                "periods": share(kept, total),
                "per_participant_percent": summary(per_person),
            }
        )
    return rows


def _attendance(ids: Iterable[UUID]) -> dict[UUID, int]:
    from django.db.models import Count

    from doorway.dropins.models import Attendance, SessionKind

    return dict(
        Attendance.objects.filter(enrolment__in=list(ids), session__kind=SessionKind.DROP_IN)
        .values_list("enrolment_id")
        .annotate(n=Count("id"))
        .values_list("enrolment_id", "n")
    )


def _referrals(ids: Sequence[UUID]) -> dict[str, Any]:
    from doorway.referrals.models import Referral, ReferralUpdate

    made = Counter(
        Referral.objects.filter(enrolment__in=ids).values_list("enrolment_id", flat=True)
    )
    completed_referrals = set(
        ReferralUpdate.objects.filter(
            referral__enrolment__in=ids, status=COMPLETED_STATUS
        ).values_list("referral__enrolment_id", "referral_id")
    )
    completed = Counter(enrolment_id for enrolment_id, _ in completed_referrals)
    total_made, total_completed = sum(made.values()), sum(completed.values())
    return {
        "made": total_made,
        "completed": share(total_completed, total_made),
        "made_per_participant": summary([made.get(i, 0) for i in ids]),
        "completed_per_participant": summary([completed.get(i, 0) for i in ids]),
    }


def progressed_enrolments(cohort: Cohort) -> tuple[set[UUID], set[UUID]]:
    """(assessed, progressed) among the cohort's consenting women: those with a baseline
    and a later rating in at least one focus area, and those who progressed in at least
    one. The outcome tables' own reading of the ratings (`outcomes.load_ratings`), so the
    two parts of the report cannot disagree; a fixed number of queries."""
    from doorway.evaluation.outcomes import load_ratings

    ratings = load_ratings(cohort)
    assessed = {enrolment_id for (_area, enrolment_id) in ratings.later}
    return assessed, ratings.progressed_enrolments()


def band_of(count: int) -> str:
    for label, low, high in ATTENDANCE_BANDS:
        if count >= low and (high is None or count <= high):
            return label
    raise ValueError(count)


def _dose_response(cohort: Cohort, consenting: Sequence[UUID]) -> dict[str, Any]:
    attendance = _attendance(consenting)
    assessed, progressed = progressed_enrolments(cohort)
    rows = []
    for label, low, high in ATTENDANCE_BANDS:
        in_band = [i for i in assessed if band_of(attendance.get(i, 0)) == label]
        rows.append(
            {
                "band": label,
                "sessions_from": low,
                "sessions_to": high,
                "assessed": len(in_band),
                "progressed": sum(1 for i in in_band if i in progressed),
                "percent": percent(sum(1 for i in in_band if i in progressed), len(in_band)),
            }
        )
    return {
        "rows": rows,
        "consenting": len(consenting),
        "not_assessed": len(consenting) - len(assessed),
    }


def process_report(cohort: Cohort, today: datetime.date | None = None) -> dict[str, Any]:
    """The process section of the evaluation report (JSON-serialisable)."""
    today = today or timezone.localdate()
    phases = cti_phases(cohort)
    everyone = journeys(all_enrolments(cohort), today)
    enrolled_qs = enrolled_enrolments(cohort)
    # The cohort's rule for "enrolled": every referral but women found not eligible.
    enrolled_ids = {j.id for j in everyone.values() if j.eligibility != Eligibility.NOT_ELIGIBLE}
    people = [everyone[i] for i in everyone if i in enrolled_ids]
    ids = [j.id for j in people]
    contacts = contacts_by_enrolment(enrolled_qs)
    attendance = _attendance(ids)
    consenting = list(evaluation_enrolments(cohort).values_list("pk", flat=True))
    return {
        "definitions": DEFINITIONS,
        "reach": _reach(everyone, enrolled_ids, phases[0].id if phases else None),
        "retention": _retention(people, phases),
        "time_in_phase": _time_in_phase(people, phases),
        "contact_cadence": _cadence(people, phases, contacts),
        "drop_in_attendance": {
            "per_participant": summary([attendance.get(i, 0) for i in ids]),
            "by_band": {
                label: sum(1 for i in ids if band_of(attendance.get(i, 0)) == label)
                for label, _, _ in ATTENDANCE_BANDS
            },
        },
        "referrals": _referrals(ids),
        "dose_response": _dose_response(cohort, consenting),
    }


__all__ = ["Journey", "Stay", "journeys", "process_report", "progressed_enrolments"]

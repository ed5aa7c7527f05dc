"""The process and fidelity figures counted by the database agree with a plain Python
reading of every row, on randomly drawn journeys: odd ones included (moves back into a
phase already left, several moves on one day, exits without a date, a second exit,
contacts before her referral or after today, empty phase plans, a `today` before some
of the records).

The reference below reads the rows one by one and counts them the way the report
defines its figures, as the report did before the counting moved into SQL."""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from typing import Any
from uuid import UUID

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doorway.casework.models import Contact, ContactKind
from doorway.conftest import World
from doorway.dropins.models import Attendance, GroupSession, SessionKind
from doorway.enrolments.models import (
    Eligibility,
    Enrolment,
    EventKind,
    ExitReason,
    JourneyEvent,
    ReferralSource,
)
from doorway.evaluation import fidelity, process
from doorway.evaluation.cohort import (
    Cohort,
    all_enrolments,
    enrolled_enrolments,
    evaluation_enrolments,
)
from doorway.evaluation.process import (
    ATTENDANCE_BANDS,
    COMPLETED_STATUS,
    DEFINITIONS,
    ENTRIES,
    Journey,
    PhaseInfo,
    Stay,
    band_of,
    cadence_periods,
    cti_phases,
    percent,
    progressed_enrolments,
    share,
    summary,
)
from doorway.people.models import ConsentKind
from doorway.plans.models import PhasePlan
from doorway.programs.models import KeyIngredient
from doorway.referrals.models import Referral, ReferralStatus, ReferralUpdate
from doorway.testing.factories import (
    ConsentFactory,
    EnrolmentFactory,
    ParticipantFactory,
    PartnerFactory,
)

pytestmark = pytest.mark.django_db

START = datetime.date(2025, 3, 3)
SUPPORTS = fidelity.SUPPORTS_INGREDIENT


# --- the reference: every row read, counted in Python -----------------------------------


def reference_journeys(enrolments: Any, today: datetime.date) -> dict[UUID, Journey]:
    found = {
        row["id"]: Journey(
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
        for row in enrolments.values(
            "id",
            "participant__code",
            "referral_source",
            "referred_on",
            "eligibility",
            "exit_reason",
            "exited_on",
            "case_manager_id",
        ).order_by("participant__code", "referred_on", "pk")
    }
    entries: dict[UUID, list[tuple[UUID, datetime.date]]] = defaultdict(list)
    for event in JourneyEvent.objects.filter(enrolment__in=list(found)).order_by(
        "effective_on", "recorded_at", "id"
    ):
        journey = found[event.enrolment_id]
        if event.kind == EventKind.EXITED:
            journey.exited_from = event.from_phase_id
        elif (
            event.kind in ENTRIES
            and event.to_phase_id is not None
            and event.to_phase_id not in {p for p, _ in entries[journey.id]}
        ):
            entries[journey.id].append((event.to_phase_id, event.effective_on))
    for journey in found.values():
        steps = entries[journey.id]
        for index, (phase_id, start) in enumerate(steps):
            if index + 1 < len(steps):
                journey.stays[phase_id] = Stay(phase_id, start, steps[index + 1][1], False)
            elif journey.exit_reason and journey.exited_on is not None:
                journey.stays[phase_id] = Stay(phase_id, start, journey.exited_on, False)
            else:
                journey.stays[phase_id] = Stay(phase_id, start, max(start, today), True)
    return found


def reference_process(cohort: Cohort, today: datetime.date) -> dict[str, Any]:
    phases = cti_phases(cohort)
    everyone = reference_journeys(all_enrolments(cohort), today)
    people = [j for j in everyone.values() if j.eligibility != Eligibility.NOT_ELIGIBLE]
    ids = [j.id for j in people]
    contacts: dict[UUID, list[datetime.date]] = defaultdict(list)
    for enrolment_id, day in Contact.objects.filter(enrolment__in=ids).values_list(
        "enrolment_id", "happened_on"
    ):
        contacts[enrolment_id].append(day)
    attendance = Counter(
        Attendance.objects.filter(enrolment__in=ids, session__kind=SessionKind.DROP_IN).values_list(
            "enrolment_id", flat=True
        )
    )
    phase1 = phases[0].id if phases else None
    decided = [j for j in everyone.values() if j.eligibility != Eligibility.PENDING]
    by_source = Counter(j.referral_source for j in everyone.values())
    reach = {
        "referrals_in": len(everyone),
        "by_source": [
            {"source": value, "label": str(label), "count": by_source.get(value, 0)}
            for value, label in ReferralSource.choices
        ],
        "intakes": sum(1 for j in everyone.values() if phase1 in j.stays),
        "eligible": share(
            sum(1 for j in decided if j.eligibility == Eligibility.ELIGIBLE), len(decided)
        ),
        "eligibility_pending": len(everyone) - len(decided),
        "enrolled": share(len(people), len(everyone)),
    }
    retention, time_in_phase, cadence = [], [], []
    for phase in phases:
        in_it = [j for j in people if phase.id in j.stays]
        exits = Counter(j.exit_reason for j in in_it if j.exit_reason and j.exited_from == phase.id)
        retention.append(
            {
                "phase": phase.name,
                "order": phase.order,
                "reached": len(in_it),
                "still_in_it": sum(1 for j in in_it if j.stays[phase.id].ongoing),
                "exits": {reason: exits.get(reason, 0) for reason in ExitReason.values},
            }
        )
        done = [j.stays[phase.id].days for j in in_it if not j.stays[phase.id].ongoing]
        expected = phase.expected_days
        time_in_phase.append(
            {
                "phase": phase.name,
                "expected_days": expected,
                "completed": summary(done),
                "within_expected": share(sum(1 for d in done if d <= expected), len(done))
                if expected
                else None,
                "ongoing": len(in_it) - len(done),
            }
        )
        if phase.cadence_days is None:
            continue
        total = kept = 0
        per_person = []
        for j in in_it:
            periods, with_contact = cadence_periods(
                j.stays[phase.id], phase.cadence_days, contacts[j.id]
            )
            if periods:
                total, kept = total + periods, kept + with_contact
                per_person.append(100 * with_contact / periods)
        cadence.append(
            {
                "phase": phase.name,
                "cadence_days": phase.cadence_days,
                "periods": share(kept, total),
                "per_participant_percent": summary(per_person),
            }
        )
    made = Counter(
        Referral.objects.filter(enrolment__in=ids).values_list("enrolment_id", flat=True)
    )
    completed = Counter(
        enrolment_id
        for enrolment_id, _ in set(
            ReferralUpdate.objects.filter(
                referral__enrolment__in=ids, status=COMPLETED_STATUS
            ).values_list("referral__enrolment_id", "referral_id")
        )
    )
    consenting = set(evaluation_enrolments(cohort).values_list("pk", flat=True))
    assessed, progressed = progressed_enrolments(cohort)
    dose = []
    for label, low, high in ATTENDANCE_BANDS:
        in_band = [i for i in assessed if band_of(attendance.get(i, 0)) == label]
        n = sum(1 for i in in_band if i in progressed)
        dose.append(
            {
                "band": label,
                "sessions_from": low,
                "sessions_to": high,
                "assessed": len(in_band),
                "progressed": n,
                "percent": percent(n, len(in_band)),
            }
        )
    return {
        "definitions": DEFINITIONS,
        "reach": reach,
        "retention": retention,
        "time_in_phase": time_in_phase,
        "contact_cadence": cadence,
        "drop_in_attendance": {
            "per_participant": summary([attendance.get(i, 0) for i in ids]),
            "by_band": {
                label: sum(1 for i in ids if band_of(attendance.get(i, 0)) == label)
                for label, _, _ in ATTENDANCE_BANDS
            },
        },
        "referrals": {
            "made": sum(made.values()),
            "completed": share(sum(completed.values()), sum(made.values())),
            "made_per_participant": summary([made.get(i, 0) for i in ids]),
            "completed_per_participant": summary([completed.get(i, 0) for i in ids]),
        },
        "dose_response": {
            "rows": dose,
            "consenting": len(consenting),
            "not_assessed": len(consenting) - len(assessed),
        },
    }


def reference_load(
    program: Any, enrolments: Any, phases: list[PhaseInfo], today: datetime.date
) -> tuple[list[Journey], fidelity.Records]:
    """What `fidelity._load` gives, from every row: her stays in the CTI phases, and
    what was recorded during each."""
    cti = {p.id for p in phases}
    found = reference_journeys(enrolments, today)
    people = [j for j in found.values() if phases[0].id in j.stays]
    for j in people:
        j.stays = {p: s for p, s in j.stays.items() if p in cti}
    ids = [j.id for j in people]
    tagged = set(
        Contact.ingredients.through.objects.filter(
            contact__enrolment__in=ids, keyingredient__slug=SUPPORTS
        ).values_list("contact_id", flat=True)
    )
    contacts = defaultdict(list)
    for row in Contact.objects.filter(enrolment__in=ids).values_list(
        "enrolment_id", "happened_on", "kind", "id"
    ):
        contacts[row[0]].append((row[1], row[2], row[3] in tagged))
    made, news = defaultdict(list), defaultdict(list)
    for e, day in Referral.objects.filter(enrolment__in=ids).values_list("enrolment_id", "made_on"):
        made[e].append(day)
    # News from the partner: every update after the one that made the referral.
    for e, day in (
        ReferralUpdate.objects.filter(referral__enrolment__in=ids)
        .exclude(status=ReferralStatus.MADE)
        .values_list("referral__enrolment_id", "dated_on")
    ):
        news[e].append(day)
    plans = {
        (plan.enrolment_id, plan.phase_id): plan.focus_areas.count()
        for plan in PhasePlan.objects.filter(enrolment__in=ids)
    }
    counts = {}
    for j in people:
        for phase_id, stay in j.stays.items():
            first, second = phase_id == phases[0].id, len(phases) > 1 and phase_id == phases[1].id
            during = [(kind, tag) for day, kind, tag in contacts[j.id] if fidelity._in(stay, day)]
            month_end = stay.start + datetime.timedelta(days=fidelity.FIRST_MONTH_DAYS)
            counts[(j.id, phase_id)] = fidelity.InStay(
                contacts=len(during),
                community=sum(1 for kind, _ in during if kind in fidelity.COMMUNITY_KINDS),
                supports=sum(1 for kind, tag in during if kind == fidelity.SUPPORTS_KIND or tag),
                first_month=sum(1 for d, _, _ in contacts[j.id] if stay.start <= d < month_end)
                if first
                else 0,
                referrals_made=sum(1 for d in made[j.id] if fidelity._in(stay, d)) if first else 0,
                referral_news=sum(1 for d in news[j.id] if fidelity._in(stay, d)) if second else 0,
                focus_areas=plans.get((j.id, phase_id)),
            )
    return people, fidelity.Records(phases, today, counts)


# --- random journeys -------------------------------------------------------------------


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def someday(rng: random.Random, lines: list[datetime.date]) -> datetime.date:
    """Any day from her referral on, or on (or next to) a day where a rule draws a line."""
    if rng.random() < 0.5:
        return lines[1] + days(rng.randint(-10, 500))
    return rng.choice(lines) + days(rng.choice([-1, 0, 0, 1, 6, 7, 13, 14, 29, 30]))


def random_world(world: World, rng: random.Random, today: datetime.date) -> None:
    """Journeys drawn from `rng`; records fall on the days where a rule draws a line
    (her moves, a month or a cadence period after them, today) as often as not."""
    program, alice = world.program, world.alice
    cycle = program.cycles.get()
    phases = list(program.active_phases())
    areas = list(program.active_focus_areas())
    staff = [world.alice, world.amira, world.bianca]
    partner = PartnerFactory(agency=world.agency)
    supports = KeyIngredient.objects.create(program=program, slug=SUPPORTS, name="Supports")
    trust = KeyIngredient.objects.create(program=program, slug="trust-building", name="Trust")
    sessions = [
        GroupSession.objects.create(
            program=program,
            kind=rng.choice([SessionKind.DROP_IN, SessionKind.DROP_IN, SessionKind.GROUP]),
            held_on=START + days(7 * n),
            created_by=alice,
        )
        for n in range(rng.randint(0, 12))
    ]
    for _ in range(rng.randint(1, 12)):
        person = ParticipantFactory(agency=world.agency, registered_by=alice)
        ConsentFactory(participant=person, recorded_by=alice, given_on=START - days(30))
        if rng.random() < 0.8:
            ConsentFactory(
                participant=person,
                kind=ConsentKind.EVALUATION,
                recorded_by=alice,
                given_on=START - days(30),
            )
        referred = START + days(rng.randint(-20, 120))
        enrolment = EnrolmentFactory(
            participant=person,
            cycle=cycle,
            case_manager=rng.choice(staff),
            referred_on=referred,
            referral_source=rng.choice(ReferralSource.values),
            eligibility=rng.choice(Eligibility.values),
        )
        day, at = referred, datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
        lines = [today, referred]
        for _ in range(rng.randint(0, 6)):
            day += days(rng.choice([0, 0, 1, 6, 7, 13, 30, 31, 45, 90, 100, 200]))
            at += datetime.timedelta(minutes=rng.choice([0, 1]))  # 0: recorded together
            kind = rng.choice([EventKind.ADVANCED] * 4 + [EventKind.SKIPPED, EventKind.REFERRED])
            JourneyEvent.objects.create(
                enrolment=enrolment,
                kind=kind,
                to_phase=rng.choice(phases[1:] * 3 + phases[:1]),  # may go back, or repeat
                effective_on=day,
                recorded_at=at,
                recorded_by=alice,
            )
            lines.append(day)
            if rng.random() < 0.1:  # a reopening moves nobody
                JourneyEvent.objects.create(
                    enrolment=enrolment,
                    kind=EventKind.REOPENED,
                    effective_on=day,
                    recorded_at=at,
                    recorded_by=alice,
                )
        if rng.random() < 0.6:
            for _ in range(rng.choice([1, 1, 2])):
                JourneyEvent.objects.create(
                    enrolment=enrolment,
                    kind=EventKind.EXITED,
                    from_phase=rng.choice([*phases, None]),
                    effective_on=day + days(rng.randint(0, 40)),
                    recorded_at=at,
                    recorded_by=alice,
                )
            if rng.random() < 0.85:
                enrolment.exit_reason = rng.choice(ExitReason.values)
                enrolment.exited_on = rng.choice([day + days(rng.randint(0, 60)), None])
                enrolment.save()
        if enrolment.exited_on:
            lines.append(enrolment.exited_on)

        for _ in range(rng.randint(0, 40)):
            contact = Contact.objects.create(
                enrolment=enrolment,
                happened_on=someday(rng, lines),
                duration_minutes=30,
                kind=rng.choice(ContactKind.values),
                recorded_by=alice,
            )
            tags = rng.choice([[], [], [supports], [trust], [supports, trust]])
            contact.ingredients.set(tags)
        for session in rng.sample(sessions, rng.randint(0, len(sessions))):
            Attendance.objects.create(session=session, enrolment=enrolment, recorded_by=alice)
        for _ in range(rng.randint(0, 3)):
            referral = Referral.objects.create(
                enrolment=enrolment,
                partner=partner,
                service_kind="housing",
                made_on=someday(rng, lines),
                made_by=alice,
                status=ReferralStatus.MADE,
                status_on=referred,
            )
            for _ in range(rng.randint(0, 3)):
                ReferralUpdate.objects.create(
                    referral=referral,
                    status=rng.choice(ReferralStatus.values),
                    dated_on=someday(rng, lines),
                    recorded_by=alice,
                )
        for phase in rng.sample(phases, rng.randint(0, len(phases))):
            plan = PhasePlan.objects.create(
                enrolment=enrolment, phase=phase, agreed_on=referred, recorded_by=alice
            )
            plan.focus_areas.set(rng.sample(areas, rng.randint(0, len(areas))))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32), today_after=st.sampled_from([40, 150, 400, 900]))
def test_the_database_counts_as_a_reading_of_every_row(
    world: World, monkeypatch: pytest.MonkeyPatch, seed: int, today_after: int
) -> None:
    today = START + days(today_after)
    with transaction.atomic():
        random_world(world, random.Random(seed), today)
        for cohort in (
            Cohort(program=world.program),
            Cohort(program=world.program, phase_reached=2),
        ):
            assert process.process_report(cohort, today) == reference_process(cohort, today)
            consenting, phases = evaluation_enrolments(cohort), cti_phases(cohort)
            assert fidelity._load(world.program, consenting, phases, today) == reference_load(
                world.program, consenting, phases, today
            )
            found = fidelity.fidelity_report(cohort, today)
            with monkeypatch.context() as patch:
                patch.setattr(fidelity, "_load", reference_load)
                assert found == fidelity.fidelity_report(cohort, today)
        transaction.set_rollback(True)


def test_the_journeys_read_in_sql_are_those_read_row_by_row(world: World) -> None:
    today = START + days(150)
    random_world(world, random.Random(7), today)
    enrolments = Enrolment.objects.filter(cycle__program=world.program)
    assert process.journeys(enrolments, today) == reference_journeys(enrolments, today)
    assert enrolled_enrolments(Cohort(program=world.program)).exists()


def test_the_reference_sees_what_it_compares(world: World) -> None:
    """The random worlds hold the cases the comparison is for (else it proves little)."""
    seen: Counter[str] = Counter()
    for seed in range(6):
        with transaction.atomic():
            today = START + days(150)
            random_world(world, random.Random(seed), today)
            for j in reference_journeys(Enrolment.objects.all(), today).values():
                seen["ongoing"] += any(s.ongoing for s in j.stays.values())
                seen["completed"] += any(not s.ongoing for s in j.stays.values())
                seen["exited"] += bool(j.exit_reason)
            phases = cti_phases(Cohort(program=world.program))
            people, records = reference_load(
                world.program, evaluation_enrolments(Cohort(program=world.program)), phases, today
            )
            seen["assessed"] += len(people)
            seen["tagged"] += sum(1 for c in records.in_stay.values() if c.supports)
            seen["planned"] += sum(1 for c in records.in_stay.values() if c.focus_areas)
            transaction.set_rollback(True)
    assert all(seen[k] for k in ("ongoing", "completed", "exited", "assessed", "tagged", "planned"))

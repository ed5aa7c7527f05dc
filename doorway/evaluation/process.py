"""How the program was delivered, computed from the records: reach, retention through the
phases, time in each phase, contact cadence kept, drop-in attendance, referrals, and
progress by drop-in attendance (a dose-response table).

Who counts: reach counts every referral into the cohort; the delivery figures count
everyone enrolled (a count says nothing about her); the dose-response table is an
outcome, so it counts only the women whose consent to the evaluation is in force.

The database does the counting, in a fixed number of queries whatever the number of
participants: her stays in the phases are worked out in SQL from the journey events
(`stays_sql`), and contacts, attendance and referrals are counted per stay or per
enrolment there, so what comes back is a handful of counts per phase, never a row per
contact. The SQL is written once for SQLite and PostgreSQL; only date arithmetic
differs (`days_between`, `plus_days`). `journeys()` and `stays_sql()` are shared with
`doorway.evaluation.fidelity`.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import Count, Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from doorway.enrolments.models import (
    Eligibility,
    Enrolment,
    EventKind,
    ExitReason,
    JourneyEvent,
    ReferralSource,
)
from doorway.evaluation.cohort import (
    ENROLLED,
    Cohort,
    all_enrolments,
    enrolled_enrolments,
    evaluation_enrolments,
)
from doorway.programs.models import ContactCadence, Phase, in_active_language
from doorway.replica import reading_connection

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
        "term": gettext_lazy("CTI phases"),
        "text": gettext_lazy(
            "The program's phases with an expected length, in order; phase 1 is the "
            "first of them. An open-ended phase before it (making the connection) is outreach, "
            "not CTI."
        ),
    },
    {
        "term": gettext_lazy("Reached a phase"),
        "text": gettext_lazy(
            "She was moved into the phase (on referral, by a move or by skipping ahead)."
        ),
    },
    {
        "term": gettext_lazy("Time in a phase"),
        "text": gettext_lazy(
            "Days from the day she entered the phase to the day she entered the next or "
            "left the program; phases she is still in are counted apart, as ongoing."
        ),
    },
    {
        "term": gettext_lazy("Contact cadence kept"),
        "text": gettext_lazy(
            "Her time in a phase is cut into consecutive periods of the phase's "
            "cadence (7 days weekly, 14 every two weeks, 30 monthly) from the day she entered "
            "it; the share of complete periods with at least one recorded contact with her "
            "care team. Phases with contact as needed are not counted."
        ),
    },
    {
        "term": gettext_lazy("Intake"),
        "text": gettext_lazy("A referral that reached CTI phase 1."),
    },
    {
        "term": gettext_lazy("Enrolled"),
        "text": gettext_lazy("Every referral except women found not eligible."),
    },
    {
        "term": gettext_lazy("Referral completed"),
        "text": gettext_lazy(
            "A referral to a partner agency through which she received the service."
        ),
    },
    {
        "term": gettext_lazy("Progressed (dose-response)"),
        "text": gettext_lazy(
            "Progressed in at least one focus area, as the outcome tables define it "
            "(latest later rating above the intake baseline); only women with a baseline and a "
            "later rating in some area, and consent to the evaluation, are counted. Drop-in "
            "attendance counts weekly drop-in sessions she was marked present at."
        ),
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
    name_fr: str = ""

    @property
    def local_name(self) -> str:
        """Its name in the page's language, as Phase.local_name."""
        return in_active_language(self.name, self.name_fr)


def cti_phases(cohort: Cohort) -> list[PhaseInfo]:
    """The program's active phases with an expected length, in order (one query)."""
    rows = (
        Phase.objects.filter(program=cohort.program, retired=False, expected_days__isnull=False)
        .order_by("order")
        .values_list("id", "order", "name", "expected_days", "contact_cadence", "name_fr")
    )
    return [
        PhaseInfo(pk, order, name, days, ContactCadence(cadence).days, name_fr)
        for pk, order, name, days, cadence, name_fr in rows
    ]


# --- SQL shared by the process and fidelity figures ------------------------------------


def days_between(later: str, earlier: str) -> str:
    """SQL for the whole days from date `earlier` to date `later`."""
    if connection.vendor == "sqlite":
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
    return f"({later} - {earlier})"


def plus_days(day: str, days: str) -> str:
    """SQL for date `day` plus `days` (a whole number, not negative) days."""
    if connection.vendor == "sqlite":
        return f"date({day}, '+' || ({days}) || ' days')"
    return f"({day} + {days})"


def sql_of(queryset: QuerySet[Any]) -> tuple[str, list[Any]]:
    """A queryset's SQL and parameters, to stand as a subquery in SQL written here."""
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def db_value(field_model: type[Model], value: Any) -> Any:
    """A primary-key value as this database stores it (a UUID is 32 hex digits on
    SQLite), to be passed as a parameter of hand-written SQL."""
    return field_model._meta.pk.get_db_prep_value(value, connection)


def as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def as_date(value: Any) -> datetime.date:
    """A date read back from hand-written SQL (SQLite returns a computed one as text)."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def select(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    # On the replica inside a report (doorway/replica.py), as the querysets are.
    with reading_connection(Enrolment).cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def placeholders(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def stays_sql(enrolments: QuerySet[Enrolment], today: datetime.date) -> tuple[str, list[Any]]:
    """`WITH` clauses that name, for the enrolments (a queryset, read as a subquery):

    - `cohort` (id, eligibility, exit_reason, exited_on, has_left): has_left is 1 when
      she left with a reason and a date;
    - `exits` (enrolment_id, from_phase_id): the phase of her last exit event;
    - `stays` (enrolment_id, phase_id, start, finish, ongoing, days): her time in each
      phase she was moved into, as `journeys()` gives it: an entry into a phase she was
      already moved into is not a new stay; a stay ends on the next stay's first day, on
      the day she left, or is ongoing and ends today (or on its first day if that is
      later). Events on the same day keep the order they were recorded in.
    """
    cohort_sql, cohort_params = sql_of(enrolments.order_by().values("pk"))
    day = connection.ops.adapt_datefield_value(today)
    entries = [str(kind) for kind in ENTRIES]
    sql = f"""
WITH cohort AS (
    SELECT e.id, e.eligibility, e.exit_reason, e.exited_on,
           CASE WHEN e.exit_reason <> '' AND e.exited_on IS NOT NULL THEN 1 ELSE 0 END
               AS has_left
    FROM {Enrolment._meta.db_table} e
    WHERE e.id IN ({cohort_sql})
),
entries AS (
    SELECT ev.enrolment_id, ev.to_phase_id AS phase_id, ev.effective_on, ev.recorded_at,
           ev.id,
           ROW_NUMBER() OVER (
               PARTITION BY ev.enrolment_id, ev.to_phase_id
               ORDER BY ev.effective_on, ev.recorded_at, ev.id
           ) AS nth
    FROM {JourneyEvent._meta.db_table} ev
    WHERE ev.enrolment_id IN (SELECT id FROM cohort)
      AND ev.kind IN ({placeholders(entries)}) AND ev.to_phase_id IS NOT NULL
),
steps AS (
    SELECT enrolment_id, phase_id, effective_on AS start,
           LEAD(effective_on) OVER (
               PARTITION BY enrolment_id ORDER BY effective_on, recorded_at, id
           ) AS next_start
    FROM entries
    WHERE nth = 1
),
exits AS (
    SELECT enrolment_id, from_phase_id
    FROM (
        SELECT ev.enrolment_id, ev.from_phase_id,
               ROW_NUMBER() OVER (
                   PARTITION BY ev.enrolment_id
                   ORDER BY ev.effective_on DESC, ev.recorded_at DESC, ev.id DESC
               ) AS nth
        FROM {JourneyEvent._meta.db_table} ev
        WHERE ev.enrolment_id IN (SELECT id FROM cohort) AND ev.kind = %s
    ) AS last_exits
    WHERE nth = 1
),
bounded AS (
    SELECT s.enrolment_id, s.phase_id, s.start,
           CASE WHEN s.next_start IS NOT NULL THEN s.next_start
                WHEN c.has_left = 1 THEN c.exited_on
                WHEN s.start > %s THEN s.start
                ELSE %s END AS finish,
           CASE WHEN s.next_start IS NULL AND c.has_left = 0 THEN 1 ELSE 0 END AS ongoing
    FROM steps s JOIN cohort c ON c.id = s.enrolment_id
),
stays AS (
    SELECT enrolment_id, phase_id, start, finish, ongoing,
           {days_between("finish", "start")} AS days
    FROM bounded
)
"""  # noqa: S608 - table names and placeholders only; every value is a parameter
    return sql, [*cohort_params, *entries, str(EventKind.EXITED), day, day]


def journeys(
    enrolments: QuerySet[Enrolment],
    today: datetime.date | None = None,
    phases: Sequence[UUID] | None = None,
) -> dict[UUID, Journey]:
    """Each enrolment's stays in its phases (only `phases`, if given), ordered by
    participant code, in two queries."""
    today = today or timezone.localdate()
    found = enrolment_journeys(enrolments)
    for enrolment_id, phase_id, start, end, ongoing in stay_rows(enrolments, today, phases):
        journey = found[as_uuid(enrolment_id)]
        phase = as_uuid(phase_id)
        journey.stays[phase] = Stay(phase, as_date(start), as_date(end), bool(ongoing))
    return found


def enrolment_journeys(enrolments: QuerySet[Enrolment]) -> dict[UUID, Journey]:
    """Each enrolment as a journey without its stays yet, ordered by participant code
    (one query)."""
    last_exit = (
        JourneyEvent.objects.filter(enrolment=OuterRef("pk"), kind=EventKind.EXITED)
        .order_by("-effective_on", "-recorded_at", "-pk")
        .values("from_phase_id")[:1]
    )
    rows = (
        enrolments.annotate(exited_from=Subquery(last_exit))
        .order_by("participant__code", "referred_on", "pk")
        .values_list(
            "id",
            "participant__code",
            "referral_source",
            "referred_on",
            "eligibility",
            "exit_reason",
            "exited_on",
            "exited_from",
            "case_manager_id",
        )
    )
    return {
        row[0]: Journey(
            id=row[0],
            code=row[1],
            referral_source=row[2],
            referred_on=row[3],
            eligibility=row[4],
            exit_reason=row[5],
            exited_on=row[6],
            exited_from=as_uuid(row[7]) if row[7] is not None else None,
            case_manager_id=row[8],
        )
        for row in rows
    }


def stay_rows(
    enrolments: QuerySet[Enrolment], today: datetime.date, phases: Sequence[UUID] | None = None
) -> list[tuple[Any, ...]]:
    """(enrolment, phase, start, end, ongoing) of each stay (one query)."""
    sql, params = stays_sql(enrolments, today)
    where = ""
    if phases is not None:
        where = f"WHERE phase_id IN ({placeholders(phases) or 'NULL'})"
        params += [db_value(Phase, p) for p in phases]
    columns = "enrolment_id, phase_id, start, finish, ongoing"
    return select(f"{sql} SELECT {columns} FROM stays {where}", params)  # noqa: S608 - no values


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


def summary_of_counts(counted: Counter[Any]) -> dict[str, Any]:
    """`summary` of the values counted ({value: how many times})."""
    return summary([value for value, n in counted.items() for _ in range(n)])


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def share(part: int, whole: int) -> dict[str, Any]:
    """A share, always with its numerator and denominator."""
    return {"n": part, "of": whole, "percent": percent(part, whole)}


# --- the sections of the report --------------------------------------------------------


@dataclass(frozen=True)
class StayCount:
    """How many stays in a phase share these values."""

    phase_id: UUID
    enrolled: bool  # her referral was not found ineligible
    ongoing: bool
    exit_here: str  # her exit reason if she left from this phase, else ""
    days: int | None  # the length of a completed stay
    n: int


def stay_counts(enrolments: QuerySet[Enrolment], today: datetime.date) -> list[StayCount]:
    """The stays of the enrolments, counted by phase and what the tables need (one
    query; a few rows per phase)."""
    sql, params = stays_sql(enrolments, today)
    rows = select(
        f"""{sql}
SELECT phase_id, enrolled, ongoing, exit_here, days, COUNT(*)
FROM (
    SELECT st.phase_id,
           CASE WHEN c.eligibility = %s THEN 0 ELSE 1 END AS enrolled,
           st.ongoing,
           CASE WHEN c.exit_reason <> '' AND x.from_phase_id = st.phase_id
                THEN c.exit_reason ELSE '' END AS exit_here,
           CASE WHEN st.ongoing = 1 THEN NULL ELSE st.days END AS days
    FROM stays st
    JOIN cohort c ON c.id = st.enrolment_id
    LEFT JOIN exits x ON x.enrolment_id = st.enrolment_id
) AS counted
GROUP BY phase_id, enrolled, ongoing, exit_here, days""",  # noqa: S608 - no values
        [*params, str(Eligibility.NOT_ELIGIBLE)],
    )
    return [
        StayCount(as_uuid(phase), bool(enrolled), bool(ongoing), exit_here, days, n)
        for phase, enrolled, ongoing, exit_here, days, n in rows
    ]


def _reach(
    enrolments: QuerySet[Enrolment], stays: list[StayCount], phase1: UUID | None
) -> dict[str, Any]:
    counts = enrolments.order_by().aggregate(
        everyone=Count("pk"),
        pending=Count("pk", filter=Q(eligibility=Eligibility.PENDING)),
        eligible=Count("pk", filter=Q(eligibility=Eligibility.ELIGIBLE)),
        enrolled=Count("pk", filter=ENROLLED),
        **{
            f"source_{value}": Count("pk", filter=Q(referral_source=value))
            for value in ReferralSource.values
        },
    )
    everyone, decided = counts["everyone"], counts["everyone"] - counts["pending"]
    return {
        "referrals_in": everyone,
        "by_source": [
            {"source": value, "label": str(label), "count": counts[f"source_{value}"]}
            for value, label in ReferralSource.choices
        ],
        "intakes": sum(s.n for s in stays if s.phase_id == phase1),
        "eligible": share(counts["eligible"], decided),
        "eligibility_pending": counts["pending"],
        "enrolled": share(counts["enrolled"], everyone),
    }


def _retention(stays: list[StayCount], phases: list[PhaseInfo]) -> list[dict[str, Any]]:
    rows = []
    for phase in phases:
        in_it = [s for s in stays if s.phase_id == phase.id and s.enrolled]
        exits: Counter[str] = Counter()
        for s in in_it:
            if s.exit_here:
                exits[s.exit_here] += s.n
        rows.append(
            {
                "phase": phase.local_name,
                "order": phase.order,
                "reached": sum(s.n for s in in_it),
                "still_in_it": sum(s.n for s in in_it if s.ongoing),
                "exits": {reason: exits.get(reason, 0) for reason in ExitReason.values},
            }
        )
    return rows


def _time_in_phase(stays: list[StayCount], phases: list[PhaseInfo]) -> list[dict[str, Any]]:
    rows = []
    for phase in phases:
        in_it = [s for s in stays if s.phase_id == phase.id and s.enrolled]
        done: Counter[int] = Counter()
        for s in in_it:
            if not s.ongoing and s.days is not None:
                done[s.days] += s.n
        expected = phase.expected_days
        rows.append(
            {
                "phase": phase.local_name,
                "expected_days": expected,
                "completed": summary_of_counts(done),
                "within_expected": share(
                    sum(n for d, n in done.items() if expected and d <= expected),
                    done.total(),
                )
                if expected
                else None,
                "ongoing": sum(s.n for s in in_it if s.ongoing),
            }
        )
    return rows


def cadence_periods(
    stay: Stay, every: int, contact_days: Iterable[datetime.date]
) -> tuple[int, int]:
    """(complete periods of `every` days in the stay, those with a contact). The rule
    `cadence_counts` applies in SQL."""
    periods = stay.days // every
    if periods <= 0:
        return 0, 0
    kept = set()
    for day in contact_days:
        offset = (day - stay.start).days
        if 0 <= offset < periods * every:
            kept.add(offset // every)
    return periods, len(kept)


def cadence_counts(
    enrolments: QuerySet[Enrolment], phases: list[PhaseInfo], today: datetime.date
) -> dict[UUID, Counter[tuple[int, int]]]:
    """{phase: {(complete periods, periods with a contact): stays}} for the enrolments'
    stays of at least one period in the phases with a cadence (one query): the rule of
    `cadence_periods`, with her contacts counted per period by the database."""
    from doorway.casework.models import Contact

    timed = [p for p in phases if p.cadence_days is not None]
    found: dict[UUID, Counter[tuple[int, int]]] = {p.id: Counter() for p in timed}
    if not timed:
        return found
    sql, params = stays_sql(enrolments, today)
    cadence = "CASE st.phase_id " + " ".join("WHEN %s THEN %s" for _ in timed) + " END"
    for phase in timed:
        params += [db_value(Phase, phase.id), phase.cadence_days]
    rows = select(
        f"""{sql},
timed AS (
    SELECT st.enrolment_id, st.phase_id, st.start, st.days, {cadence} AS cadence
    FROM stays st
    WHERE st.phase_id IN ({placeholders(timed)})
),
periods AS (
    SELECT ROW_NUMBER() OVER (ORDER BY enrolment_id, phase_id) AS stay,
           enrolment_id, phase_id, start, cadence, days / cadence AS periods,
           {plus_days("start", "(days / cadence) * cadence")} AS until
    FROM timed
    WHERE days >= cadence
),
-- The periods with a contact, each once: counted apart from the stays (not by
-- COUNT(DISTINCT)), so that the database may group by hashing rather than sorting.
hits AS (
    SELECT DISTINCT p.stay, {days_between("ct.happened_on", "p.start")} / p.cadence AS period
    FROM periods p
    JOIN {Contact._meta.db_table} ct
      ON ct.enrolment_id = p.enrolment_id
     AND ct.happened_on >= p.start AND ct.happened_on < p.until
),
kept AS (
    SELECT p.phase_id, p.periods, COUNT(h.period) AS kept
    FROM periods p LEFT JOIN hits h ON h.stay = p.stay
    GROUP BY p.stay, p.phase_id, p.periods
)
SELECT phase_id, periods, kept, COUNT(*) FROM kept GROUP BY phase_id, periods, kept""",  # noqa: S608
        [*params, *(db_value(Phase, p.id) for p in timed)],
    )
    for phase, periods, kept, n in rows:
        found[as_uuid(phase)][(periods, kept)] += n
    return found


def _cadence(
    phases: list[PhaseInfo], counts: dict[UUID, Counter[tuple[int, int]]]
) -> list[dict[str, Any]]:
    rows = []
    for phase in phases:
        if phase.cadence_days is None:
            continue
        total = kept = 0
        per_person = []
        for (periods, with_contact), n in counts[phase.id].items():
            total += periods * n
            kept += with_contact * n
            per_person += [100 * with_contact / periods] * n
        rows.append(
            {
                "phase": phase.local_name,
                "cadence_days": phase.cadence_days,
                "periods": share(kept, total),
                "per_participant_percent": summary(per_person),
            }
        )
    return rows


def _attendance(enrolments: QuerySet[Enrolment]) -> dict[UUID, int]:
    """{enrolment: drop-in sessions she was marked present at}, for those at one or more
    (one query)."""
    from doorway.dropins.models import Attendance, SessionKind

    return dict(
        Attendance.objects.filter(
            enrolment__in=enrolments.order_by().values("pk"), session__kind=SessionKind.DROP_IN
        )
        .order_by()
        .values_list("enrolment_id")
        .annotate(n=Count("id"))
        .values_list("enrolment_id", "n")
    )


def _referrals(enrolments: QuerySet[Enrolment]) -> dict[str, Any]:
    """Referrals made and completed per participant, counted by the database: one row
    per (made, completed) pair (one query)."""
    from doorway.referrals.models import Referral, ReferralUpdate

    cohort_sql, params = sql_of(enrolments.order_by().values("pk"))
    referrals, updates = Referral._meta.db_table, ReferralUpdate._meta.db_table
    # The cohort's query is repeated rather than named once (WITH): the planner then
    # knows how many rows each join makes, and does not mistake a query of a second for
    # one worth compiling (JIT).
    rows = select(
        f"""SELECT COALESCE(made.n, 0), COALESCE(completed.n, 0), COUNT(*)
FROM {Enrolment._meta.db_table} e
LEFT JOIN (
    SELECT r.enrolment_id, COUNT(*) AS n
    FROM {referrals} r
    WHERE r.enrolment_id IN ({cohort_sql})
    GROUP BY r.enrolment_id
) AS made ON made.enrolment_id = e.id
LEFT JOIN (
    SELECT r.enrolment_id, COUNT(DISTINCT r.id) AS n
    FROM {referrals} r JOIN {updates} u ON u.referral_id = r.id
    WHERE r.enrolment_id IN ({cohort_sql}) AND u.status = %s
    GROUP BY r.enrolment_id
) AS completed ON completed.enrolment_id = e.id
WHERE e.id IN ({cohort_sql})
GROUP BY COALESCE(made.n, 0), COALESCE(completed.n, 0)""",  # noqa: S608 - no values
        [*params, *params, COMPLETED_STATUS, *params],
    )
    made_counts: Counter[int] = Counter()
    completed_counts: Counter[int] = Counter()
    for n_made, n_completed, n in rows:
        made_counts[n_made] += n
        completed_counts[n_completed] += n
    total_made = sum(value * n for value, n in made_counts.items())
    total_completed = sum(value * n for value, n in completed_counts.items())
    return {
        "made": total_made,
        "completed": share(total_completed, total_made),
        "made_per_participant": summary_of_counts(made_counts),
        "completed_per_participant": summary_of_counts(completed_counts),
    }


def progressed_enrolments(cohort: Cohort) -> tuple[set[UUID], set[UUID]]:
    """(assessed, progressed) among the cohort's consenting women: those with a baseline
    and a later rating in at least one focus area, and those who progressed in at least
    one. The outcome tables' own reading of the ratings, counted by the database
    (`outcomes.assessed_and_progressed`), so the two parts of the report cannot
    disagree."""
    from doorway.evaluation.outcomes import assessed_and_progressed

    return assessed_and_progressed(cohort)


def band_of(count: int) -> str:
    for label, low, high in ATTENDANCE_BANDS:
        if count >= low and (high is None or count <= high):
            return label
    raise ValueError(count)


def _dose_response(cohort: Cohort, attendance: dict[UUID, int]) -> dict[str, Any]:
    """`attendance` is the enrolled women's: the assessed are among them, since they are
    among the consenting women, who are enrolled."""
    consenting = evaluation_enrolments(cohort).count()
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
        "consenting": consenting,
        "not_assessed": consenting - len(assessed),
    }


def process_report(cohort: Cohort, today: datetime.date | None = None) -> dict[str, Any]:
    """The process section of the evaluation report (JSON-serialisable)."""
    today = today or timezone.localdate()
    phases = cti_phases(cohort)
    everyone = all_enrolments(cohort)
    enrolled = enrolled_enrolments(cohort)
    stays = stay_counts(everyone, today)
    reach = _reach(everyone, stays, phases[0].id if phases else None)
    attendance = _attendance(enrolled)
    attended: Counter[int] = Counter(attendance.values())
    # Everyone enrolled counts, those who never came as 0.
    attended[0] += reach["enrolled"]["n"] - len(attendance)
    return {
        "definitions": [{"term": str(d["term"]), "text": str(d["text"])} for d in DEFINITIONS],
        "reach": reach,
        "retention": _retention(stays, phases),
        "time_in_phase": _time_in_phase(stays, phases),
        "contact_cadence": _cadence(phases, cadence_counts(enrolled, phases, today)),
        "drop_in_attendance": {
            "per_participant": summary_of_counts(attended),
            "by_band": {
                label: sum(n for count, n in attended.items() if band_of(count) == label)
                for label, _, _ in ATTENDANCE_BANDS
            },
        },
        "referrals": _referrals(enrolled),
        "dose_response": _dose_response(cohort, attendance),
    }


__all__ = ["Journey", "Stay", "journeys", "process_report", "progressed_enrolments", "stays_sql"]

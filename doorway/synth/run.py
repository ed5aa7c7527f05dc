"""`synthesise(participants, seed)`: a whole synthetic deployment, and the rule that keeps
it out of real databases.

The rule: synthetic data is written only while DOORWAY_DEMO is on (never in
production, where the demo's published password must not work either), and only into
a database without a synthetic deployment already. A database holding participants that
synthesis did not make is refused too, unless `force` is given: then the synthetic
agencies are added beside them and touch none of their records.

The run, in order: the agencies and programs (through the program, instrument and
theory-of-change templates); every journey planned as dates; the staff sized to the
caseloads left open today; the teams' drop-ins, groups and supervision, and the
outreach logs; then each participant's records, bulk-written; then the due items
through the caseload's own refresh, and one audit entry for the run. Writing a
participant is no user's action, so nothing else is audited.

How rows reach the database:
- PostgreSQL, connected as a superuser: the whole run is one transaction. Rows are
  COPied on a second thread while the next are made; the per-row foreign-key triggers
  are paused (`session_replication_role`, for this transaction only) and every index of
  the tables written is dropped (primary keys, unique constraints and the foreign keys
  that point at them included), then rebuilt from its own definition and every foreign
  key checked with one anti-join each, before the commit. A failure anywhere leaves
  nothing behind.
- Anywhere else (SQLite, or PostgreSQL without that right): a commit every `chunk`
  participants with every constraint checked as usual. A failure leaves the chunks
  already committed; start again from an empty database.
"""

from __future__ import annotations

import contextlib
import datetime
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.caseload.refresh import refresh, watched
from doorway.casework.models import Contact, SupervisionSession
from doorway.demo import DEMO_PASSWORD
from doorway.dropins.demo import GROUP_TOPICS
from doorway.dropins.models import GroupSession, SessionKind
from doorway.enrolments.models import Eligibility, Enrolment
from doorway.instruments.progress import refresh_progress
from doorway.people.models import Participant
from doorway.programs.models import Agency
from doorway.synth import journeys, records, world
from doorway.synth.writer import (
    Id,
    Writer,
    build_indexes,
    can_check_references_in_bulk,
    check_references,
    drop_indexes,
    new_uuid,
    pause_row_checks,
    reset_sequences,
    secondary_indexes,
    use_current_keys,
)

CHUNK = 2000  # participants per transaction


@dataclass
class Report:
    participants: int
    seed: int
    today: datetime.date
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    staff: int = 0

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def refusal(*, force: bool) -> str:
    """Why synthesis may not write into this database, or ""."""
    if not settings.DEMO:
        return gettext(
            "Synthetic data is written only with DOORWAY_DEMO=true: its staff accounts share "
            "the demo's published password. Never set it on a production database."
        )
    if Agency.objects.filter(slug__startswith=world.SLUG_PREFIX).exists():
        return gettext(
            "This database already holds a synthetic deployment. Start from an empty "
            "database (for example, drop and create it, then migrate)."
        )
    others = Participant.objects.exclude(agency__slug__startswith=world.SLUG_PREFIX).count()
    if others and not force:
        return ngettext(
            "This database holds %(count)d participant that synthesis did not make. "
            "Synthetic data goes into a database of its own; --force adds it beside them.",
            "This database holds %(count)d participants that synthesis did not make. "
            "Synthetic data goes into a database of its own; --force adds it beside them.",
            others,
        ) % {"count": others}
    return ""


def synthesise(
    participants: int,
    seed: int,
    *,
    today: datetime.date | None = None,
    force: bool = False,
    chunk: int = CHUNK,
    progress: Callable[[str], None] | None = None,
) -> Report:
    today = _checked_request(participants, today, force=force)
    say = progress or (lambda _message: None)
    use_current_keys()
    report = Report(participants=participants, seed=seed, today=today)
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    lap = _Laps(report)
    # On PostgreSQL as a superuser: one transaction, the per-row foreign-key triggers
    # paused and every reference checked at the end; elsewhere, a commit every `chunk`.
    bulk = not connection.in_atomic_block and can_check_references_in_bulk()
    with transaction.atomic() if bulk else contextlib.nullcontext():
        infos, people, staff_rng = _plan(rng, participants, today, lap)
        writer = Writer()
        with transaction.atomic():
            sessions, indexes, enrolled = _staff_and_sessions(
                report, staff_rng, infos, people, today, writer, bulk=bulk
            )
        say(f"{len(infos)} programs, {report.staff} staff, {len(people)} participants planned")
        lap("staff and sessions")
        _write_people(people, today, writer, sessions, bulk=bulk, chunk=chunk, say=say, lap=lap)
        build_indexes(indexes)
        lap("indexes")
        if bulk:
            check_references(list(writer.tables.values()))
            pause_row_checks(False)
            lap("reference checks")
        _costs_and_progress(staff_rng, infos, enrolled)
        lap("focus area progress")
    lap("commit")
    _analyse(writer)
    lap("analyse")
    due = _refresh_due_items()
    lap("due items")
    _vacuum(writer)
    lap("vacuum")
    report.rows = writer.counts()
    report.rows["due items"] = due
    _audit(report, programs=len(infos))
    return report


def _checked_request(
    participants: int, today: datetime.date | None, *, force: bool
) -> datetime.date:
    """The day the deployment is dated, once the request is one synthesis may carry out."""
    if participants < 1:
        raise ValidationError({"participants": gettext("Ask for at least one participant.")})
    real_today = timezone.localdate()
    today = today or real_today
    if today > real_today:
        raise ValidationError({"today": gettext("The deployment cannot be dated in the future.")})
    if why := refusal(force=force):
        raise ValidationError(why)
    return today


class _Laps:
    """The seconds each stage took, added up into the report under the stage's name."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.clock = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.report.seconds[stage] = self.report.seconds.get(stage, 0.0) + now - self.clock
        self.clock = now


def _plan(
    rng: random.Random, participants: int, today: datetime.date, lap: _Laps
) -> tuple[list[world.ProgramInfo], list[journeys.Person], random.Random]:
    """The agencies and programs (written), every journey (planned as dates), and the
    random source of the staff and of everything after them."""
    with transaction.atomic():
        program_rng = random.Random(rng.getrandbits(64))  # noqa: S311
        infos = world.build_programs(program_rng, participants, today)
    lap("programs")
    people_rng = random.Random(rng.getrandbits(64))  # noqa: S311
    people = journeys.plan_people(people_rng, infos, participants, today)
    lap("journeys")
    staff_rng = random.Random(rng.getrandbits(64))  # noqa: S311
    return infos, people, staff_rng


def _staff_and_sessions(
    report: Report,
    staff_rng: random.Random,
    infos: list[world.ProgramInfo],
    people: list[journeys.Person],
    today: datetime.date,
    writer: Writer,
    *,
    bulk: bool,
) -> tuple[dict[tuple[Id, int], records.Sessions], list[tuple[str, str]], dict[Id, int]]:
    """The staff sized to the caseloads open today, assigned to the journeys; the teams'
    sessions and outreach; the record tables opened (and, in bulk, their indexes and
    keys dropped). Returns the sessions, the dropped indexes, and how many women each cycle
    enrolled."""
    report.staff = world.build_staff(staff_rng, infos, journeys.open_counts(people), DEMO_PASSWORD)
    journeys.assign_staff(staff_rng, people)
    if bulk:
        pause_row_checks(True)
    sessions = _sessions(staff_rng, infos, today, writer)
    records.tables(writer)
    _outreach(staff_rng, infos, people, today, writer)
    indexes = secondary_indexes(list(writer.tables.values())) if bulk else []
    drop_indexes(indexes)
    enrolled: dict[Id, int] = {}
    for person in people:
        for journey in person.journeys:
            if journey.eligibility != Eligibility.NOT_ELIGIBLE:
                enrolled[journey.cycle_id] = enrolled.get(journey.cycle_id, 0) + 1
    writer.flush()
    return sessions, indexes, enrolled


def _write_people(
    people: list[journeys.Person],
    today: datetime.date,
    writer: Writer,
    sessions: dict[tuple[Id, int], records.Sessions],
    *,
    bulk: bool,
    chunk: int,
    say: Callable[[str], None],
    lap: _Laps,
) -> None:
    """Each participant's records, in one transaction already or a commit per chunk."""
    links = Contact.focus_areas.through
    last_history = Contact.history.model.objects.aggregate(n=Max("history_id"))["n"] or 0
    ctx = records.Run(
        today=today,
        writer=writer,
        sessions=sessions,
        codes=set(Participant.objects.values_list("code", flat=True)),
        next_history_id=last_history + 1,
        next_link_id=(links.objects.aggregate(n=Max("id"))["n"] or 0) + 1,
    )
    if bulk:
        writer.start_background()
    for start in range(0, len(people), chunk):
        with contextlib.nullcontext() if bulk else transaction.atomic():
            for n, person in enumerate(people[start : start + chunk]):
                records.write_person(ctx, person)
                if n % 200 == 199:
                    writer.flush_full()
            writer.flush()
        done = min(start + chunk, len(people))
        say(f"{done} participants written ({time.perf_counter() - lap.clock:.0f} s)")
    writer.finish()
    reset_sequences([Contact.history.model, links])
    lap("participants")


def _costs_and_progress(
    staff_rng: random.Random, infos: list[world.ProgramInfo], enrolled: dict[Id, int]
) -> None:
    with transaction.atomic():
        world.add_costs(staff_rng, infos, enrolled)
    # The administrations were written in bulk, not through `record_administration`:
    # their progress rows in one statement, as the migration fills them.
    with transaction.atomic():
        refresh_progress(
            Enrolment.objects.filter(cycle__program__agency__slug__startswith=world.SLUG_PREFIX)
        )


def _refresh_due_items() -> int:
    """What the daily refresh would compute, for the synthetic enrolments only: the
    records were written in bulk, not through the actions that ask for it."""
    return refresh(
        Enrolment.objects.filter(
            watched(), cycle__program__agency__slug__startswith=world.SLUG_PREFIX
        ).values_list("pk", flat=True)
    )


def _audit(report: Report, *, programs: int) -> None:
    record(
        Action.CREATE,
        detail={
            "synthetic": True,
            "participants": report.participants,
            "seed": report.seed,
            "today": report.today.isoformat(),
            "programs": programs,
            "staff": report.staff,
            "rows": sum(report.rows.values()),
        },
    )


def _sessions(
    rng: random.Random, infos: list[world.ProgramInfo], today: datetime.date, writer: Writer
) -> dict[tuple[Id, int], records.Sessions]:
    """Every team's weekly drop-in (Wednesdays) and fortnightly group (Fridays), from the
    first cycle until yesterday, each with one or two of the team as facilitators."""
    sessions_t = writer.table(
        "session",
        GroupSession,
        ["id", "program", "kind", "held_on", "topic", "anonymous_walk_ins", "created_by",
         "created_at"],
    )  # fmt: skip
    facilitators_t = writer.table(
        "session_facilitator", GroupSession.facilitators.through, ["groupsession", "user"]
    )
    supervision_t = writer.table(
        "supervision",
        SupervisionSession,
        ["id", "team", "held_on", "led_by", "recorded_by", "recorded_at"],
    )
    attendees_t = writer.table(
        "supervision_attendee", SupervisionSession.attendees.through, ["supervisionsession", "user"]
    )
    tz = timezone.get_current_timezone()
    start = world.first_cycle_start(today)
    first = start + datetime.timedelta(days=(2 - start.weekday()) % 7)
    weeks = (today - datetime.timedelta(days=1) - first).days // 7 + 1
    found: dict[tuple[Id, int], records.Sessions] = {}
    for info in infos:
        for team_index, _team in enumerate(info.teams):
            members = [
                *info.case_managers[
                    team_index * world.TEAM_SIZE : (team_index + 1) * world.TEAM_SIZE
                ],
                info.peer_mentors[team_index],
            ]
            lead = members[0]
            team = records.Sessions(first=first, drop_ins=[], groups={}, lead=lead.pk)
            for week in range(weeks):
                monday = first + datetime.timedelta(days=7 * week - 2)
                pk = new_uuid(rng)
                made = datetime.datetime.combine(monday, datetime.time(15, 30), tzinfo=tz)
                supervision_t.add((pk, info.teams[team_index].pk, monday, lead.pk, lead.pk, made))
                for person in members:
                    attendees_t.add((pk, person.pk))
                team.supervision.append(pk)

            for week in range(weeks):
                held_on = first + datetime.timedelta(days=7 * week)
                friday = held_on + datetime.timedelta(days=2)
                plan = [(SessionKind.DROP_IN, held_on, "")]
                if week % 2 == 0 and friday < today:
                    plan.append(
                        (SessionKind.GROUP, friday, GROUP_TOPICS[week // 2 % len(GROUP_TOPICS)])
                    )
                for kind, day, topic in plan:
                    pk = new_uuid(rng)
                    host = rng.choice(members)
                    made = datetime.datetime.combine(day, datetime.time(18, 30), tzinfo=tz)
                    sessions_t.add((pk, info.program.pk, kind, day, topic, rng.randint(0, 4),
                                    host.pk, made))  # fmt: skip
                    for person in dict.fromkeys([host, rng.choice(members)]):
                        facilitators_t.add((pk, person.pk))
                    if kind == SessionKind.DROP_IN:
                        team.drop_ins.append(pk)
                    else:
                        team.groups[week] = pk
            found[(info.program.pk, team_index)] = team
        writer.flush_full()
    return found


def _outreach(
    rng: random.Random,
    infos: list[world.ProgramInfo],
    people: list[journeys.Person],
    today: datetime.date,
    writer: Writer,
) -> None:
    """Each program's outreach log: about one contact for every two women it enrolled,
    spread over its years, most never linked to anyone (the linked ones come with the
    women they met)."""
    first = world.first_cycle_start(today)
    span = (today - first).days - 1
    tz = timezone.get_current_timezone()
    per_program = Counter(person.info.program.pk for person in people)
    table, materials = writer.tables["outreach"], writer.tables["outreach_material"]
    for info in infos:
        for _ in range(per_program[info.program.pk] // 2):
            on = first + datetime.timedelta(days=rng.randrange(span))
            by = rng.choice(info.case_managers).pk
            table.add(records.outreach_row(rng, tz, info.program.pk, on, by, materials.rows.append))
        writer.flush_full()


def _analyse(writer: Writer) -> None:
    """Fresh planner statistics for every table of the app (PostgreSQL): the ones the
    writer filled and the staff, team and configuration tables written through the ORM.
    Without statistics on the teams, the planner misjudges how many enrolments the
    access rule reaches and scans every contact (seen at 100,000 participants)."""
    if connection.vendor != "postgresql":
        return
    names = sorted(
        {t.name for t in writer.tables.values()}
        | set(connection.introspection.django_table_names(only_existing=True))
    )
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")


def _vacuum(writer: Writer) -> None:
    """At the end, what a production server's autovacuum would do after so many new rows:
    the visibility map (without it every index-only scan reads the table too) and the
    statistics of the due items written last. SQLite gets its planner statistics.
    Skipped inside a transaction, where neither command may run."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            return
        if connection.vendor != "postgresql":
            return
        names = sorted(
            {t.name for t in writer.tables.values()}
            | set(connection.introspection.django_table_names(only_existing=True))
        )
        for name in names:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(name)}")

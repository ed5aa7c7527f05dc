"""The caseload, ranked by what matters today, in a fixed number of queries.

The groups, in the order the page shows them:

1. missed contacts and safety: an open enrolment with an overdue contact (under her
   phase's cadence), or with anything overdue while a safety flag is on her record;
2. the rest of what is overdue (a plan review, a referral without news, a follow-up);
3. what is due this week;
4. later;
5. snoozed: something of hers is put aside until a day, with a reason, and nothing
   else of hers is due this week.

A closing note for a woman who graduated more than `OLD_CLOSING_NOTE_DAYS` ago is not
on a worker's caseload: it is paperwork, not her, and it buried the urgent work. Those
go to the program manager's list to clear (`old_closing_notes`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from doorway.caseload.models import WEEK, DueItem, DueItemQuerySet, Snooze
from doorway.casework.models import ClosingNote
from doorway.encryption import EncryptedDateField, EncryptedTextField
from doorway.enrolments.due import DueKind
from doorway.enrolments.models import Enrolment, ExitReason
from doorway.people.models import Participant, SafetyFlag
from doorway.programs.models import Phase, Program
from doorway.replica import reading_connection

# Groups, in the order the page shows them.
URGENT, OVERDUE, THIS_WEEK, LATER, SNOOZED = range(5)
GROUP_NAMES = {
    URGENT: _("Missed contacts and safety"),
    OVERDUE: _("Overdue"),
    THIS_WEEK: _("Due this week"),
    LATER: pgettext_lazy("caseload group", "Later"),
    SNOOZED: _("Snoozed"),
}
# What may not wait: a missed contact is the first sign she may be in trouble.
URGENT_KINDS = frozenset({DueKind.CONTACT})

# Past this many days after she graduated, a closing note still unwritten leaves the
# worker's caseload for the program manager's list: three months covers the follow-up
# window (a month after graduation, then 90 days) in which the worker still sees her.
OLD_CLOSING_NOTE_DAYS = 90


@dataclass
class Badge:
    text: str
    state: str  # overdue, due, later
    due_on: datetime.date
    label: str
    kind: str = ""
    subject_id: UUID | None = None
    snooze: Snooze | None = None
    # What the page prints, set by `cards.dress`: its colour, its sentence (HTML, its
    # values escaped) and its snooze link.
    css: str = ""
    when: str = ""
    snooze_url: str = ""


@dataclass
class Row:
    enrolment: Enrolment
    group: int
    most_overdue: int
    next_due: datetime.date | None
    badges: list[Badge] = field(default_factory=list)
    phase_number: int | None = None
    # Set by `cards.dress`: her enrolment's page, and her badges as HTML.
    link: str = ""
    badges_html: str = ""

    @property
    def participant(self) -> Any:
        return self.enrolment.participant

    @property
    def group_name(self) -> str:
        return str(GROUP_NAMES[self.group])

    @property
    def phase_label(self) -> str:
        return phase_label(self.enrolment.current_phase, self.phase_number)


def phase_label(phase: Phase, number: int | None) -> str:
    """ "Phase 1 — Intake and assessment", as CTI speaks of its phases."""
    if number is None:
        return phase.local_name
    return gettext("Phase %(number)s — %(name)s") % {"number": number, "name": phase.local_name}


def numbered_phases(programs: QuerySet[Program]) -> list[tuple[Phase, int]]:
    """The programs' phases in use, each with its number: the first phase is the
    pre-phase of reaching out to her (Phase 0), then CTI's phases 1 to 3. Counted by
    position, so a retired phase leaves no gap. One query."""
    numbered: list[tuple[Phase, int]] = []
    last_program: Any = None
    number = 0
    for phase in (
        Phase.objects.filter(program__in=programs, retired=False)
        .select_related("program")
        .order_by("program__name", "program", "order")
    ):
        number = 0 if phase.program_id != last_program else number + 1
        last_program = phase.program_id
        numbered.append((phase, number))
    return numbered


def old_closing_note_cutoff(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=OLD_CLOSING_NOTE_DAYS)


def worker_items(today: datetime.date) -> DueItemQuerySet:
    """The due items a worker's caseload shows: all but the old closing notes."""
    return DueItem.objects.exclude(
        kind=DueKind.CLOSING_NOTE, enrolment__exited_on__lt=old_closing_note_cutoff(today)
    )


def ranking(
    enrolments: QuerySet[Enrolment],
    today: datetime.date,
    *,
    kind: str | None = None,
    phase: Phase | None = None,
) -> list[tuple[UUID, int]]:
    """(enrolment id, group) of her open enrolments, and closed ones with something still
    due (a graduate's follow-up, a recent closing note), in the caseload's order: by group
    (above), then soonest due (within a group also most overdue first), then code. `kind`
    keeps the women with that kind of work due, `phase` those in that phase.

    One query, ranked by the database: a few values per woman come back, not her due
    items. A program manager's scope is thousands of women with tens of thousands of due
    items; reading those into Python to rank them cost a few hundred milliseconds a page
    at a national deployment, where the database groups them in a few dozen."""
    scope = enrolments
    if kind:
        scope = scope.filter(
            Exists(worker_items(today).filter(enrolment=OuterRef("pk"), kind=kind))
        )
    if phase is not None:
        scope = scope.filter(current_phase=phase)
    # Hand-written SQL runs where the router reads enrolments from, as the reports' does.
    database = reading_connection(Enrolment)
    scope_sql, scope_params = (
        scope.order_by()
        .values_list("pk", "exit_reason", "exited_on", "participant_id")
        .query.get_compiler(connection=database)
        .as_sql()
    )
    sql = _RANKING_SQL.format(
        due=DueItem._meta.db_table,
        snooze=Snooze._meta.db_table,
        flag=SafetyFlag._meta.db_table,
        participant=Participant._meta.db_table,
        scope=scope_sql,
        urgent=", ".join(["%s"] * len(URGENT_KINDS)),
        # SQLite compares text as bytes already.
        bytewise=' COLLATE "C"' if database.vendor == "postgresql" else "",
    )
    params = [
        *scope_params,
        # A snooze in force (as `Snooze.objects.in_force`) puts aside what it names.
        today,
        # Her closing note, once she is gone long ago, is the program manager's list.
        DueKind.CLOSING_NOTE,
        old_closing_note_cutoff(today),
        *sorted(URGENT_KINDS),
        # The groups, as `group_of`.
        today,
        today,
        URGENT,
        today,
        OVERDUE,
        today + datetime.timedelta(days=WEEK),
        THIS_WEEK,
        SNOOZED,
        LATER,
    ]
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        # SQLite gives the id's 32 hex digits, PostgreSQL the UUID.
        return [(pk if isinstance(pk, UUID) else UUID(pk), group) for pk, group in cursor]


# `ranking`'s query. The scope's enrolments; each one's due items that are on a worker's
# caseload (all but the closing note of a woman gone long ago), each marked put aside or
# not by a snooze in force; per woman the first date due of what is not put aside, of
# a contact, and whether anything is; then the women listed (her open enrolments, and
# the closed ones with something still due), each in her group (as `group_of`), in the
# caseload's order. The code is compared as bytes ("C"), as Python compares strings.
_RANKING_SQL = """
WITH scope (id, exit_reason, exited_on, participant_id) AS MATERIALIZED (
    {scope}
), items AS (
    SELECT d.enrolment_id, d.kind, d.due_on, EXISTS (
        SELECT 1 FROM {snooze} z
        WHERE z.enrolment_id = d.enrolment_id AND z.kind = d.kind
          AND z.subject_id IS NOT DISTINCT FROM d.subject_id
          AND z.lifted_at IS NULL AND z.until >= %s
    ) AS asleep
    FROM {due} d JOIN scope s ON s.id = d.enrolment_id
    WHERE NOT (d.kind = %s AND s.exited_on IS NOT NULL AND s.exited_on < %s)
), per_woman AS (
    SELECT enrolment_id,
        min(due_on) FILTER (WHERE NOT asleep) AS next_due,
        min(due_on) FILTER (WHERE NOT asleep AND kind IN ({urgent})) AS next_contact,
        count(*) FILTER (WHERE asleep) > 0 AS any_snoozed
    FROM items GROUP BY enrolment_id
), listed AS (
    SELECT s.id, s.exit_reason, s.participant_id, p.next_due, p.next_contact,
        coalesce(p.any_snoozed, false) AS any_snoozed,
        EXISTS (
            SELECT 1 FROM {flag} f
            WHERE f.participant_id = s.participant_id AND f.removed_at IS NULL
        ) AS flagged
    FROM scope s LEFT JOIN per_woman p ON p.enrolment_id = s.id
    WHERE s.exit_reason = '' OR p.enrolment_id IS NOT NULL
)
SELECT l.id, CASE
        WHEN l.exit_reason = '' AND (
            l.next_contact < %s OR (l.flagged AND l.next_due < %s)
        ) THEN %s
        WHEN l.next_due < %s THEN %s
        WHEN l.next_due <= %s THEN %s
        WHEN l.any_snoozed THEN %s
        ELSE %s
    END AS ranked_group
FROM listed l
ORDER BY ranked_group, l.next_due NULLS LAST,
    (SELECT c.code FROM {participant} c WHERE c.id = l.participant_id){bytewise}, l.id
"""


def group_of(
    today: datetime.date,
    exit_reason: str,
    flagged: bool,
    next_due: datetime.date | None,
    next_contact: datetime.date | None,
    *,
    any_snoozed: bool,
) -> int:
    """Her group, from the first date due of what is not snoozed (of anything, and of a
    contact) and whether anything is snoozed: as `_row` groups her from her badges."""
    overdue = next_due is not None and next_due < today
    if not exit_reason and (
        (next_contact is not None and next_contact < today) or (flagged and overdue)
    ):
        return URGENT
    if overdue:
        return OVERDUE
    if next_due is not None and next_due <= today + datetime.timedelta(days=WEEK):
        return THIS_WEEK
    if any_snoozed:
        return SNOOZED
    return LATER


def _flagged() -> Exists:
    """A safety flag is on her record."""
    return Exists(
        SafetyFlag.objects.filter(participant=OuterRef("participant"), removed_at__isnull=True)
    )


def with_their_dues(enrolments: QuerySet[Enrolment], today: datetime.date) -> QuerySet[Enrolment]:
    """Ranked enrolments with what `rows_of` reads: her, her phase, her safety flag, her
    due items and snoozes. Three queries, for the whole caseload or a page of it. Of what
    is encrypted, only her preferred name is read (and decrypted): the rest stays out."""
    return (
        enrolments.annotate(flagged=_flagged())
        .select_related("participant", "current_phase")
        .defer(*_unshown_secrets())
        .prefetch_related(
            Prefetch(
                "snoozes",
                queryset=Snooze.objects.in_force(today).select_related("snoozed_by"),
                to_attr="snoozed",
            ),
            Prefetch(
                # Her old closing note is left out by `_row`, from her exit date.
                "due_items",
                queryset=DueItem.objects.order_by("due_on", "kind"),
                to_attr="dues",
            ),
        )
    )


def _unshown_secrets() -> list[str]:
    """The encrypted fields of her enrolment and her record that no row shows."""
    return [
        f"{prefix}{f.name}"
        for prefix, model in (("", Enrolment), ("participant__", Participant))
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedTextField | EncryptedDateField) and f.name != "preferred_name"
    ]


def rows_of(
    enrolments: Iterable[Enrolment], today: datetime.date, phase_numbers: Mapping[Any, int]
) -> list[Row]:
    """Each enrolment's row with its badges, in the order given."""
    return [_row(e, today, phase_numbers.get(e.current_phase_id)) for e in enrolments]


def caseload_rows(
    enrolments: QuerySet[Enrolment],
    today: datetime.date,
    *,
    kind: str | None = None,
    phase: Phase | None = None,
    phase_numbers: Mapping[Any, int] | None = None,
) -> list[Row]:
    """The whole caseload's rows, ranked (`ranking`). Four queries."""
    order = ranking(enrolments, today, kind=kind, phase=phase)
    return rows_by_id([pk for pk, _group in order], today, phase_numbers or {})


def rows_by_id(
    ids: list[UUID], today: datetime.date, phase_numbers: Mapping[Any, int]
) -> list[Row]:
    """The rows of these enrolments (a page of a ranking), in the order given."""
    place = {pk: n for n, pk in enumerate(ids)}
    found = Enrolment.objects.filter(pk__in=ids).order_by()
    page = sorted(with_their_dues(found, today), key=lambda e: place[e.pk])
    return rows_of(page, today, phase_numbers)


def _row(enrolment: Enrolment, today: datetime.date, number: int | None) -> Row:
    dues: list[DueItem] = enrolment.dues  # type: ignore[attr-defined]  # the Prefetch's to_attr
    if enrolment.exited_on is not None and enrolment.exited_on < old_closing_note_cutoff(today):
        # As `worker_items`: her old closing note is on the program manager's list.
        dues = [d for d in dues if d.kind != DueKind.CLOSING_NOTE]
    snoozes: list[Snooze] = enrolment.snoozed  # type: ignore[attr-defined]  # the Prefetch's to_attr
    badges = []
    for due in dues:
        snooze = next((s for s in snoozes if s.puts_aside(due)), None)
        badges.append(
            Badge(
                due.badge(today),
                due.state(today),
                due.due_on,
                # Stored in English by the refresh; its words are in the catalogue.
                gettext(due.label),
                kind=due.kind,
                subject_id=due.subject_id,
                snooze=snooze,
            )
        )
    awake = [(d, b) for d, b in zip(dues, badges, strict=True) if b.snooze is None]
    states = {b.state for _d, b in awake}
    flagged: bool = enrolment.flagged  # type: ignore[attr-defined]  # set by rows_by_id
    urgent = not enrolment.exit_reason and any(
        b.state == "overdue" and (b.kind in URGENT_KINDS or flagged) for _d, b in awake
    )
    if urgent:
        group = URGENT
    elif "overdue" in states:
        group = OVERDUE
    elif "due" in states:
        group = THIS_WEEK
    elif len(awake) < len(badges):
        # Something was snoozed and nothing else is due this week.
        group = SNOOZED
    else:
        group = LATER
    most_overdue = max((d.days_overdue(today) for d, _b in awake), default=0)
    next_due = min((d.due_on for d, _b in awake), default=None)
    # Already by date: overdue first, then due this week, then later.
    return Row(enrolment, group, most_overdue, next_due, badges, number)


def old_closing_notes(enrolments: QuerySet[Enrolment], today: datetime.date) -> QuerySet[Enrolment]:
    """Graduates without a closing note, who graduated more than `OLD_CLOSING_NOTE_DAYS`
    ago: the program manager's list to clear. Read from the enrolments themselves, not
    the due items, since the daily refresh stops computing due items for women this long
    gone. One query: her graduated enrolments found by their own index
    (`enrolment_cycle_graduated`), each asked whether her closing note is written (a
    join made the database read every closing note of the deployment)."""
    return (
        enrolments.filter(
            ~Exists(ClosingNote.objects.filter(enrolment=OuterRef("pk"))),
            exit_reason=ExitReason.GRADUATED,
            exited_on__lt=old_closing_note_cutoff(today),
        )
        .select_related("participant", "case_manager", "cycle__program")
        .order_by("exited_on", "participant__code")
    )

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

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from doorway.caseload.models import WEEK, DueItem, DueItemQuerySet, Snooze
from doorway.enrolments.due import DueKind
from doorway.enrolments.models import Enrolment, ExitReason
from doorway.people.models import SafetyFlag
from doorway.programs.models import Phase, Program

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


@dataclass
class Row:
    enrolment: Enrolment
    group: int
    most_overdue: int
    next_due: datetime.date | None
    badges: list[Badge] = field(default_factory=list)
    phase_number: int | None = None

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

    Three queries of a few values each (no record is read, nothing decrypted), so that
    a program's thousands are ranked, their groups counted and a page cut cheaply."""
    items = worker_items(today)
    chosen = enrolments.filter(Q(exit_reason="") | Exists(items.filter(enrolment=OuterRef("pk"))))
    if kind:
        chosen = chosen.filter(Exists(items.filter(enrolment=OuterRef("pk"), kind=kind)))
    if phase is not None:
        chosen = chosen.filter(current_phase=phase)
    # A few plain values per woman and per due item, put together here: the database
    # kept hashing every due item of the deployment for correlated subqueries, and
    # building them cost more than ranking these in Python.
    women = list(
        chosen.annotate(flagged=_flagged()).values_list(
            "pk", "exit_reason", "flagged", "participant__code"
        )
    )
    ids = chosen.values("pk")
    asleep = set(
        Snooze.objects.in_force(today)
        .filter(enrolment__in=ids)
        .values_list("enrolment_id", "kind", "subject_id")
    )
    next_due: dict[UUID, datetime.date] = {}
    next_contact: dict[UUID, datetime.date] = {}
    snoozed: set[UUID] = set()
    for enrolment, due_kind, due_on, subject in items.filter(enrolment__in=ids).values_list(
        "enrolment_id", "kind", "due_on", "subject_id"
    ):
        if (enrolment, due_kind, subject) in asleep:  # as Snooze.puts_aside
            snoozed.add(enrolment)
            continue
        if due_on < next_due.get(enrolment, datetime.date.max):
            next_due[enrolment] = due_on
        if due_kind in URGENT_KINDS and due_on < next_contact.get(enrolment, datetime.date.max):
            next_contact[enrolment] = due_on
    ranked = sorted(
        (
            group_of(
                today,
                exit_reason,
                flagged,
                next_due.get(pk),
                next_contact.get(pk),
                any_snoozed=pk in snoozed,
            ),
            next_due.get(pk, datetime.date.max),
            code,
            pk,
        )
        for pk, exit_reason, flagged, code in women
    )
    return [(pk, group) for group, _due, _code, pk in ranked]


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
    """Ranked enrolments with what `rows_of` reads: her, her phase, her due items and
    snoozes. Three queries, for the whole caseload or a page of it."""
    return enrolments.select_related("participant", "current_phase").prefetch_related(
        Prefetch(
            "due_items", queryset=worker_items(today).order_by("due_on", "kind"), to_attr="dues"
        ),
        Prefetch(
            "snoozes",
            queryset=Snooze.objects.in_force(today).select_related("snoozed_by"),
            to_attr="snoozed",
        ),
    )


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
    ranks = ranking(enrolments, today, kind=kind, phase=phase)
    return rows_by_id([pk for pk, _group in ranks], today, phase_numbers or {})


def rows_by_id(
    ids: list[UUID], today: datetime.date, phase_numbers: Mapping[Any, int]
) -> list[Row]:
    """The rows of these enrolments (a page of a ranking), in the order given."""
    place = {pk: n for n, pk in enumerate(ids)}
    found = with_their_dues(
        Enrolment.objects.filter(pk__in=ids).annotate(flagged=_flagged()), today
    )
    return rows_of(sorted(found, key=lambda e: place[e.pk]), today, phase_numbers)


def _row(enrolment: Enrolment, today: datetime.date, number: int | None) -> Row:
    dues: list[DueItem] = enrolment.dues  # type: ignore[attr-defined]  # the Prefetch's to_attr
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
    flagged: bool = enrolment.flagged  # type: ignore[attr-defined]  # annotated above
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
    gone. One query."""
    return (
        enrolments.filter(
            exit_reason=ExitReason.GRADUATED,
            exited_on__lt=old_closing_note_cutoff(today),
            closing_note__isnull=True,
        )
        .select_related("participant", "case_manager", "cycle__program")
        .order_by("exited_on", "participant__code")
    )

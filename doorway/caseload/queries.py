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
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from doorway.caseload.models import WEEK, DueItem, DueItemQuerySet, Snooze
from doorway.casework.models import ClosingNote
from doorway.encryption import EncryptedDateField, EncryptedTextField
from doorway.enrolments.due import DueKind
from doorway.enrolments.models import Enrolment, ExitReason
from doorway.people.models import Participant, SafetyFlag
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


# A due item as the ranking reads it: its pk, kind, due date, subject and label.
DueValues = tuple[Any, str, datetime.date, UUID | None, str]


@dataclass
class Ranked:
    """A ranking (`order`: enrolment id and group, in the caseload's order) and the due
    items it read, by enrolment, for `rows_by_id` to show a page of it without reading
    them again."""

    order: list[tuple[UUID, int]]
    dues: dict[UUID, list[DueValues]]
    # The enrolments whose participant has a safety flag on her record.
    flagged: set[UUID] = field(default_factory=set)


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
    keeps the women with that kind of work due, `phase` those in that phase."""
    return rank(enrolments, today, kind=kind, phase=phase).order


def rank(
    enrolments: QuerySet[Enrolment],
    today: datetime.date,
    *,
    kind: str | None = None,
    phase: Phase | None = None,
) -> Ranked:
    """`ranking`, with the due items it read.

    Three queries of a few values each (no record is read, nothing decrypted), so that
    a program's thousands are ranked, their groups counted and a page cut cheaply: the
    scope's due items with their enrolment's exit, the women (the open ones by the
    index, the closed ones by the ids the due items named), and their snoozes."""
    scope = enrolments
    if kind:
        scope = scope.filter(
            Exists(worker_items(today).filter(enrolment=OuterRef("pk"), kind=kind))
        )
    if phase is not None:
        scope = scope.filter(current_phase=phase)
    # A few plain values per woman and per due item, put together here: the database
    # kept hashing every due item of the deployment (and every participant, for her
    # code) for joins and correlated subqueries, and building them cost more than
    # ranking these in Python.
    ids = scope.values("pk")
    old = old_closing_note_cutoff(today)
    # Her items as plain values (pk, kind, due on, subject, label): only the page's
    # become DueItem objects (`rows_by_id`), a program has thousands.
    dues: dict[UUID, list[DueValues]] = {}
    # A closed enrolment is on the caseload while something of hers is due but an old
    # closing note (as `worker_items`, from her exit date read with the item).
    still_due: set[UUID] = set()
    for pk, enrolment, due_kind, due_on, subject, label, exit_reason, exited_on in (
        DueItem.objects.filter(enrolment__in=ids)
        .order_by()
        .values_list(
            "pk",
            "enrolment_id",
            "kind",
            "due_on",
            "subject_id",
            "label",
            "enrolment__exit_reason",
            "enrolment__exited_on",
        )
    ):
        dues.setdefault(enrolment, []).append((pk, due_kind, due_on, subject, label))
        if exit_reason and (
            due_kind != DueKind.CLOSING_NOTE or exited_on is None or exited_on >= old
        ):
            still_due.add(enrolment)
    # Her open enrolments found by the index on (scope, exit_reason), the closed ones
    # by their ids: the database no longer visits every closed enrolment of a program
    # (nine in ten of them) to ask each whether something is still due.
    values = ("pk", "exit_reason", "exited_on", "flagged", "code")
    women = list(
        scope.filter(exit_reason="")
        .annotate(flagged=_flagged(), code=_code())
        .order_by()
        .values_list(*values)
        .union(
            scope.filter(pk__in=sorted(still_due))
            .exclude(exit_reason="")
            .annotate(flagged=_flagged(), code=_code())
            .order_by()
            .values_list(*values),
            all=True,
        )
        .order_by()
    )
    gone_long_ago = {pk for pk, _r, exited_on, *_rest in women if exited_on and exited_on < old}
    asleep = set(
        Snooze.objects.in_force(today)
        .filter(enrolment__in=ids)
        .values_list("enrolment_id", "kind", "subject_id")
    )
    next_due: dict[UUID, datetime.date] = {}
    next_contact: dict[UUID, datetime.date] = {}
    snoozed: set[UUID] = set()
    for enrolment, items in dues.items():
        for _pk, due_kind, due_on, subject, _label in items:
            if due_kind == DueKind.CLOSING_NOTE and enrolment in gone_long_ago:
                continue
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
        for pk, exit_reason, _exited_on, flagged, code in women
    )
    return Ranked(
        [(pk, group) for group, _due, _code, pk in ranked],
        dues,
        {pk for pk, _r, _e, flagged, _c in women if flagged},
    )


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


def _code() -> Subquery:
    """Her code, looked up for each woman listed: a join let the database read every
    participant of the deployment to find a program's few hundred."""
    return Subquery(Participant.objects.filter(pk=OuterRef("participant_id")).values("code")[:1])


def _flagged() -> Exists:
    """A safety flag is on her record."""
    return Exists(
        SafetyFlag.objects.filter(participant=OuterRef("participant"), removed_at__isnull=True)
    )


def with_their_dues(
    enrolments: QuerySet[Enrolment], today: datetime.date, *, dues: bool = True
) -> QuerySet[Enrolment]:
    """Ranked enrolments with what `rows_of` reads: her, her phase, her due items and
    snoozes. Three queries, for the whole caseload or a page of it (two without her
    due items, `dues=False`, when the ranking read them). Of what is encrypted, only
    her preferred name is read (and decrypted): the rest stays out."""
    wanted: list[Prefetch[Any, Any, Any]] = [
        Prefetch(
            "snoozes",
            queryset=Snooze.objects.in_force(today).select_related("snoozed_by"),
            to_attr="snoozed",
        )
    ]
    if dues:
        wanted.append(
            Prefetch(
                # Her old closing note is left out by `_row`, from her exit date.
                "due_items",
                queryset=DueItem.objects.order_by("due_on", "kind"),
                to_attr="dues",
            )
        )
    return (
        enrolments.select_related("participant", "current_phase")
        .defer(*_unshown_secrets())
        .prefetch_related(*wanted)
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
    """The whole caseload's rows, ranked (`rank`). Five queries."""
    ranked = rank(enrolments, today, kind=kind, phase=phase)
    return rows_by_id(
        [pk for pk, _group in ranked.order], today, phase_numbers or {}, ranked=ranked
    )


def rows_by_id(
    ids: list[UUID],
    today: datetime.date,
    phase_numbers: Mapping[Any, int],
    *,
    ranked: Ranked | None = None,
) -> list[Row]:
    """The rows of these enrolments (a page of a ranking), in the order given. With the
    ranking they come from (`ranked`), her due items and safety flag are those it read,
    not read again."""
    place = {pk: n for n, pk in enumerate(ids)}
    found = Enrolment.objects.filter(pk__in=ids).order_by()
    if ranked is None:
        found = found.annotate(flagged=_flagged())
    page = sorted(with_their_dues(found, today, dues=ranked is None), key=lambda e: place[e.pk])
    if ranked is not None:
        for enrolment in page:
            items = [
                DueItem(
                    pk=pk,
                    enrolment_id=enrolment.pk,
                    kind=kind,
                    due_on=due_on,
                    subject_id=subject,
                    label=label,
                )
                for pk, kind, due_on, subject, label in ranked.dues.get(enrolment.pk, [])
            ]
            items.sort(key=lambda d: (d.due_on, d.kind))  # as the model's ordering
            # As the Prefetch's to_attr and the annotation would have set them.
            enrolment.dues = items  # type: ignore[attr-defined]
            enrolment.flagged = enrolment.pk in ranked.flagged  # type: ignore[attr-defined]
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

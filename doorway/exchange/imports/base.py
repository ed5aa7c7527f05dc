"""What every kind of import shares: its columns, the rows read against them, problems
by row and column, and finding the participant a row is about among those the importer
reaches (through the one access rule, `visible_to`)."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy
from django_stubs_ext import StrOrPromise

from doorway.enrolments.access import participants_visible_to
from doorway.enrolments.models import Enrolment
from doorway.exchange.imports import cells
from doorway.exchange.imports.cells import CellProblem, Problem
from doorway.exchange.imports.reading import Cell
from doorway.exchange.models import ExternalId
from doorway.people.models import User
from doorway.programs.models import Agency

NO_SUCH_PARTICIPANT = gettext_lazy(
    "No such participant among those you work with. Give her id from your participants "
    "file or her Doorway code."
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool
    help: StrOrPromise
    aliases: tuple[str, ...] = ()


@dataclass
class Row:
    number: int
    cells: dict[str, Cell]

    def __getitem__(self, key: str) -> Cell:
        return self.cells.get(key)


@dataclass
class CodeList:
    """Accepted values of a column, for the page that explains how to fill the file."""

    title: StrOrPromise
    codes: list[tuple[str, str]]
    note: StrOrPromise = ""


@dataclass
class Plan:
    """A checked row (or group of rows): what to save, and where its problems go."""

    external_id: str
    rows: list[Row]
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def first(self) -> Row:
        return self.rows[0]


class Importer:
    kind = ""
    # ExternalId.kind of the record each row (or group of rows) becomes.
    record_kind = ""
    # Several rows with one external id make one record (an assessment's answers).
    grouped = False
    columns: tuple[Column, ...] = ()
    # An action's error keyed by field → the column it is about.
    field_columns: dict[str, str] = {}

    def __init__(self, user: User, agency: Agency) -> None:
        self.user = user
        self.agency = agency
        self.problems: list[Problem] = []
        self.created: dict[str, int] = defaultdict(int)

    # --- columns --------------------------------------------------------------------

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def label(self, key: str) -> str:
        found = [c for c in self.columns if c.key == key]
        return found[0].label if found else ""

    def example(self) -> list[str]:
        """One example row, in column order."""
        raise NotImplementedError

    def code_lists(self) -> list[CodeList]:
        return []

    # --- problems -------------------------------------------------------------------

    def problem(self, row: Row | int, key: str, message: StrOrPromise) -> None:
        number = row.number if isinstance(row, Row) else row
        self.problems.append(Problem(number, self.label(key), str(message)))

    def read[T](
        self, row: Row, key: str, reader: Callable[..., T], *args: Any, **kwargs: Any
    ) -> T | None:
        """`reader(row[key], ...)`, or None with a problem on that cell."""
        try:
            value = reader(row[key], *args, **kwargs)
        except CellProblem as problem:
            self.problem(row, key, str(problem))
            return None
        if value in (None, "", []) and self.column(key).required:
            self.problem(row, key, gettext("%(column)s is missing.") % {"column": self.label(key)})
            return None
        return value

    def refused(self, plan: Plan, error: Exception) -> None:
        """An action refused a row at import time: its messages, by column."""
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                column = self.field_columns.get(name, "external_id")
                row = self.row_for_field(plan, name)
                for message in errors:
                    for text in message.messages:
                        self.problem(row, column, text)
        elif isinstance(error, ValidationError):
            for text in error.messages:
                self.problem(plan.first, "external_id", text)
        else:
            self.problem(plan.first, "external_id", str(error) or gettext("Not allowed."))

    def row_for_field(self, plan: Plan, name: str) -> Row:
        return plan.first

    # --- the work -------------------------------------------------------------------

    def prepare(self, rows: list[Row]) -> None:
        """Load once what every row is checked against (no query per row)."""

    def check(self, plan: Plan) -> bool:
        """Fill `plan.values`; add problems. True when the plan can be saved."""
        raise NotImplementedError

    def save(self, plan: Plan) -> uuid.UUID:
        """Save through the app's actions; the id of the record made."""
        raise NotImplementedError

    def finish_check(self) -> None:
        """After every row is checked (an audit entry for lookups made, if any)."""


class Reach:
    """The participants and enrolments the importer reaches, loaded once, and the
    participant a row names (by the agency's external id, or by her Doorway code)."""

    def __init__(self, user: User, agency: Agency) -> None:
        self.external = dict(
            ExternalId.objects.filter(agency=agency, kind="participant").values_list(
                "external_id", "object_id"
            )
        )
        visible = participants_visible_to(user)
        self.codes = dict(visible.values_list("code", "pk"))
        self.by_participant: dict[Any, list[Enrolment]] = defaultdict(list)
        enrolments = Enrolment.objects.visible_to(user).select_related("cycle__program")
        for enrolment in enrolments.order_by("referred_on"):
            self.by_participant[enrolment.participant_id].append(enrolment)

    def participant_id(self, value: str) -> Any | None:
        value = value.strip()
        pid = self.external.get(value) or self.codes.get(value.upper())
        return pid if pid in self.by_participant else None

    def enrolment(
        self,
        value: str,
        on: datetime.date | None,
        programs: Iterable[Any] | None = None,
    ) -> Enrolment:
        """Her enrolment (among those reached) the row is about: in `programs` if given,
        the latest referred on or before `on`, else her earliest. CellProblem if none."""
        pid = self.participant_id(value)
        if pid is None:
            raise CellProblem(NO_SUCH_PARTICIPANT)
        enrolments = self.by_participant[pid]
        if programs is not None:
            wanted = set(programs)
            enrolments = [e for e in enrolments if e.cycle.program_id in wanted]
            if not enrolments:
                raise CellProblem(
                    gettext("She has no enrolment in that program among those you reach.")
                )
        if on is not None:
            before = [e for e in enrolments if e.referred_on <= on]
            if before:
                return before[-1]
        return enrolments[0]


def choices_of(choices: Iterable[tuple[Any, Any]]) -> list[tuple[str, str]]:
    return [(str(code), str(label)) for code, label in choices]


def table[T](entries: Iterable[tuple[Iterable[str], T]]) -> dict[str, T]:
    """A lookup table keyed by `cells.key` of every name given; a name shared by two
    entries is left out (ambiguous), so a lookup never picks one silently."""
    found: dict[str, T] = {}
    ambiguous: set[str] = set()
    for names, value in entries:
        for name in names:
            k = cells.key(name)
            if not k:
                continue
            if k in found and found[k] != value:
                ambiguous.add(k)
            found[k] = value
    return {k: v for k, v in found.items() if k not in ambiguous}

"""Reading one cell as what its column holds: a date, a whole number, a code, yes/no.

Each reader returns the value or raises `CellProblem` with a message in plain words
(never quoting the cell when it could be about her: the message names the column and
what was expected; codes, which are not personal, may be quoted).

Dates: ISO (2024-03-31) and a spreadsheet's own date cells are always read. Dates
with slashes, dashes or dots and the day first (31/03/2024) are read day first, as
Canada and most of the world write them, and the page says so. A date that can only be
month first (03/31/2024, 31 is no month) is refused with a request to write it as
2024-03-31, never guessed. Two-digit years are refused: 01/02/03 could be any of three
dates.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext

from doorway.encryption import normalise
from doorway.exchange.imports.reading import FORMULA, Cell


class CellProblem(ValueError):
    """What is wrong with one cell, in plain words."""


@dataclass(frozen=True, order=True)
class Problem:
    # Row in the spreadsheet (the header is row 1); 0 for the whole file.
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$")


def text(cell: Cell) -> str:
    if cell is None:
        return ""
    if cell is FORMULA:
        raise CellProblem(gettext("A formula is not allowed here: type the value itself."))
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    return cell


def date(cell: Cell) -> datetime.date | None:
    if isinstance(cell, datetime.date):
        return cell
    value = text(cell)
    if not value:
        return None
    if match := ISO.match(value):
        year, month, day = (int(g) for g in match.groups())
        return _make(year, month, day)
    if match := DAY_FIRST.match(value):
        first, second, year_text = match.groups()
        if len(year_text) != 4:
            raise CellProblem(gettext("Write the year in full, as in 2024-03-31."))
        day, month, year = int(first), int(second), int(year_text)
        if month > 12 and day <= 12:
            raise CellProblem(
                gettext(
                    "This date seems to be written month first; dates with slashes are read "
                    "day first (31/03/2024). Write it as 2024-03-31."
                )
            )
        return _make(year, month, day)
    raise CellProblem(gettext("This is not a date. Write it as 2024-03-31 (or 31/03/2024)."))


def _make(year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise CellProblem(gettext("There is no such date. Write it as 2024-03-31.")) from None


def whole_number(cell: Cell) -> int | None:
    value = text(cell)
    if not value:
        return None
    match = re.fullmatch(r"(\d+)(?:\.0+)?", value.replace(" ", ""))
    if not match:
        raise CellProblem(gettext("Give a whole number."))
    return int(match.group(1))


YES = {"yes", "y", "true", "1", "oui", "x"}
NO = {"no", "n", "false", "0", "non"}


def yes_no(cell: Cell) -> bool | None:
    value = normalise(text(cell))
    if not value:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    raise CellProblem(gettext("Write yes or no."))


def key(value: str) -> str:
    """How codes, labels and headers are compared: case, accents, spacing, dashes and
    underscores do not matter ("PHONE-TEXT" finds the code "phone_text", "individual
    counselling" its label "Individual counselling")."""
    return re.sub(r"[\s_\-]+", " ", normalise(value)).strip()


def code(cell: Cell, choices: Iterable[tuple[str, str]], *, what: str) -> str | None:
    """A code from (code, label) pairs, given as the code or as the label."""
    value = text(cell)
    if not value:
        return None
    wanted = key(value)
    pairs = list(choices)
    for code_, label in pairs:
        if wanted in {key(code_), key(str(label))}:
            return code_
    listed = ", ".join(code_ for code_, _ in pairs[:12])
    raise CellProblem(
        gettext("Unknown %(what)s '%(value)s'. Use one of: %(codes)s.")
        % {"what": what, "value": value[:40], "codes": listed}
    )


def codes(cell: Cell, choices: Iterable[tuple[str, str]], *, what: str) -> list[str]:
    """Several codes separated by ; (or , or a new line)."""
    value = text(cell)
    pairs = list(choices)
    found: list[str] = []
    for part in re.split(r"[;,\n]", value):
        if part.strip():
            chosen = code(part.strip(), pairs, what=what)
            if chosen is not None and chosen not in found:
                found.append(chosen)
    return found


def lookup[T](cell: Cell, table: Mapping[str, T], *, missing: str) -> T | None:
    """A value from a table keyed by `key(...)`; `missing` when not in it."""
    value = text(cell)
    if not value:
        return None
    found = table.get(key(value))
    if found is None:
        raise CellProblem(missing)
    return found

"""Writing rows as CSV or XLSX that are safe to open in a spreadsheet.

Text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a
formula by a spreadsheet opening the file. The two formats are made safe differently,
following OWASP's guidance on CSV injection:

- CSV has no types: every field is quoted, and a field that could run is written with a
  leading apostrophe, so that it shows as the text it is. (The apostrophe is then part
  of the text; that is the price OWASP accepts for a format without types.)
- XLSX has types: text is written as an explicit string cell, which no spreadsheet
  evaluates, with its exact characters and no apostrophe. A formula-like cell is also
  marked "quote prefix", so that it stays text even after someone edits it. Characters
  XML cannot hold (control characters) are replaced by U+FFFD.

Numbers, dates and booleans are written as themselves: only text can carry a formula.
Aware date-times are written in local time (spreadsheets have no time zones).
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import pgettext

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | decimal.Decimal | datetime.date | datetime.datetime | bool | None

# What XML 1.0 cannot carry (openpyxl refuses it): C0 controls except tab, LF and CR.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def runs_as_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def _typed(value: Any) -> Cell:
    """The value as a cell holds it: plain types pass, aware times become local, and
    anything else is its text."""
    if value is None or isinstance(value, bool | int | float | decimal.Decimal):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, datetime.date):
        return value
    return str(value)


def neutralise(value: Any) -> Cell:
    """The value as it may go into a CSV field: text that could run as a formula is
    prefixed with an apostrophe; other values pass unchanged."""
    cell = _typed(value)
    if isinstance(cell, str) and runs_as_formula(cell):
        return "'" + cell
    return cell


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        # Read back by the imports in either language (cells.YES, cells.NO).
        return (
            pgettext("a spreadsheet cell", "yes") if value else pgettext("a spreadsheet cell", "no")
        )
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to read accents right; every
    field quoted (OWASP), formula-like fields prefixed."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow([_text(neutralise(h)) for h in header])
    for row in rows:
        writer.writerow([_text(neutralise(v)) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    bold = Font(bold=True)

    def cell(value: Any, *, heading: bool = False) -> Any:
        typed = _typed(value)
        if isinstance(typed, str):
            text = _NOT_IN_XML.sub("\ufffd", typed)
            made = WriteOnlyCell(sheet, value=None)
            # Set the value and the type ourselves: openpyxl would take "=..." for a
            # formula. A string cell is text whatever it starts with.
            made._value = text
            made.data_type = "s"
            if runs_as_formula(text):
                made.quotePrefix = True
        else:
            made = WriteOnlyCell(sheet, value=typed)
        if heading:
            made.font = bold
        return made

    sheet.append([cell(h, heading=True) for h in header])
    for row in rows:
        sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    # A sheet's name has at most 31 characters and none of []:*?/\ .
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31]
    return cleaned or "Sheet"

"""Writing rows as CSV or XLSX that are safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@` (or a tab or carriage return, which some
spreadsheets strip before looking) would be read as a formula; such a cell is written
with a leading apostrophe, so that it shows as the text it is and never runs. Numbers,
dates and booleans are written as themselves: only text can carry a formula.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | decimal.Decimal | datetime.date | datetime.datetime | bool | None


def neutralise(value: Any) -> Cell:
    """The value as it may go into a cell: text that could run as a formula is prefixed
    with an apostrophe; other values pass unchanged."""
    if value is None or isinstance(
        value, bool | int | float | decimal.Decimal | datetime.date | datetime.datetime
    ):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to read accents right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_text(neutralise(h)) for h in header])
    for row in rows:
        writer.writerow([_text(neutralise(v)) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet")
    sheet.append([neutralise(h) for h in header])
    for row in rows:
        cells = []
        for value in row:
            cell = neutralise(value)
            # Spreadsheets have no time zones: an aware time is written as local time.
            if isinstance(cell, datetime.datetime) and cell.tzinfo is not None:
                from django.utils import timezone

                cell = timezone.localtime(cell).replace(tzinfo=None)
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

"""Reading an uploaded file into rows of cells, treating it as hostile.

- Size: refused above IMPORT_MAX_BYTES, and above IMPORT_MAX_ROWS rows.
- CSV: UTF-8 (with or without a byte-order mark), UTF-16 (Excel's "Unicode text"), else
  Windows-1252; the delimiter is a comma or a semicolon (what a French- or German-set
  Excel writes), or a tab.
- XLSX: openpyxl in read-only mode with `data_only=True`, so that a formula is never
  computed here: its value is what the spreadsheet program saved with it, and a formula
  saved without a value is reported ("formula not allowed"). openpyxl parses the XML
  with defusedxml (installed, and checked below), so entity declarations (the
  "billion laughs") are refused. The ZIP is opened first and refused when it would
  unpack to more than IMPORT_MAX_UNPACKED bytes (a "zip bomb"). Then the sheet's XML is
  counted as a stream, before openpyxl builds anything: a row of more cells than Excel
  allows (16,384), more rows than IMPORT_MAX_ROWS, more cells in all than those rows of
  MAX_COLUMNS could hold, or more shared strings than MAX_SHARED_STRINGS is refused, so
  a small file cannot make the reader build millions of cells.
- Anything else (a PDF renamed .xlsx, an old .xls, an image) is refused in plain words.

Cells come back as text (stripped), a `datetime.date` (from a date cell), None (empty)
or FORMULA. Row numbers are the spreadsheet's own (the header is row 1), so that a
problem "row 12" is row 12 on her screen, blank rows included.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import enum
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.sax.handler import ContentHandler

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _


class Formula(enum.Enum):
    """A formula that came without a saved value: never computed, reported as a problem.
    A value of its own type, not a marker string, so no text a cell holds can pass for
    it."""

    CELL = "formula"


FORMULA = Formula.CELL
MAX_COLUMNS = 60
# An XLSX unpacks to many times its size; beyond this it is refused unread.
IMPORT_MAX_UNPACKED = 300 * 1024 * 1024

# Excel's own widest row: no spreadsheet a person saved has more cells in a row.
MAX_CELLS_IN_A_ROW = 16_384
# openpyxl keeps every shared string in memory; a million is far more than 50,000 rows
# of real text need.
MAX_SHARED_STRINGS = 1_000_000

Cell = str | datetime.date | Formula | None


class Unreadable(Exception):
    """The file cannot be imported; the message says why, in plain words."""


@dataclass
class Sheet:
    header: list[str]
    # (row number in the spreadsheet, cells), blank rows left out.
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)


def read_upload(data: bytes, filename: str = "") -> Sheet:
    screen(data, filename)
    sheet = _read_xlsx(data) if is_workbook(data, filename) else _read_csv(data)
    if not any(sheet.header):
        raise Unreadable(_("The first row must hold the column names; it is empty."))
    if len(sheet.rows) > settings.IMPORT_MAX_ROWS:
        raise too_many_rows()
    return sheet


def is_workbook(data: bytes, filename: str) -> bool:
    return data.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm"))


def screen(data: bytes, filename: str = "") -> None:
    """What can be told of a file without reading its cells, quickly and in bounded
    memory: its size, its kind, and for a workbook the zip and the count of its cells
    and rows. `Unreadable` if it cannot be imported; reading it may still find more."""
    max_bytes = settings.IMPORT_MAX_BYTES
    if len(data) > max_bytes:
        raise Unreadable(
            _(
                "The file is larger than %(megabytes)d MB. Split it into smaller files and "
                "import them one after the other."
            )
            % {"megabytes": max_bytes // (1024 * 1024)}
        )
    if not data.strip():
        raise Unreadable(_("The file is empty."))
    name = filename.lower()
    if data.startswith(b"%PDF"):
        raise Unreadable(_("This is a PDF, not a spreadsheet. Upload a CSV or XLSX file."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Unreadable(
            _(
                "This is an old Excel file (.xls). Open it in your spreadsheet program and save "
                "it as .xlsx or CSV, then upload that."
            )
        )
    if is_workbook(data, name):
        _screen_xlsx(data)
    elif name.endswith((".ods", ".numbers")):
        raise Unreadable(_("Save the file as .xlsx or CSV, then upload that."))


def too_many_rows() -> Unreadable:
    return Unreadable(
        _(
            "The file has more than %(limit)s rows. Split it into smaller files and import "
            "them one after the other."
        )
        % {"limit": f"{settings.IMPORT_MAX_ROWS:,}"}
    )


# --- CSV -------------------------------------------------------------------------------


def utf16(data: bytes) -> str | None:
    """Excel's "Unicode text" is UTF-16 with a byte-order mark; without one, text in a
    Latin script shows a zero byte beside nearly every letter."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        head = data[:4096]
        pairs = len(head) // 2
        if not pairs:
            return None
        if head[1::2].count(0) > 0.9 * pairs:
            encoding = "utf-16-le"
        elif head[0::2].count(0) > 0.9 * pairs:
            encoding = "utf-16-be"
        else:
            return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode(data: bytes) -> str:
    text = utf16(data)
    if text is not None:
        return text.removeprefix("\ufeff")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        # The five bytes cp1252 leaves undefined: Latin-1 reads every byte.
        return data.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: whichever of , ; or tab occurs most outside
    quotes (a comma when none does)."""
    first = text.split("\n", 1)[0]
    outside, quoted = [], False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(char)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data: bytes) -> Sheet:
    text = decode(data)
    if "\x00" in text[:4096]:
        raise Unreadable(_("This file is not a spreadsheet. Upload a CSV or XLSX file."))
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    limit = settings.IMPORT_MAX_ROWS
    try:
        lines = iter(reader)
        header = [clean_text(h) or "" for h in next(lines, [])]
        sheet = Sheet(header=header)
        for number, values in enumerate(lines, start=2):
            cells: list[Cell] = [clean_text(v) for v in values[:MAX_COLUMNS]]
            if any(c is not None for c in cells):
                sheet.rows.append((number, cells))
                if len(sheet.rows) > limit:
                    break
    except csv.Error as error:
        raise Unreadable(
            _("The CSV file could not be read (%(problem)s).") % {"problem": error}
        ) from error
    return sheet


# --- XLSX ------------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Unreadable(
            _(
                "This file is not a spreadsheet (it is damaged, or another kind of file with "
                "a spreadsheet's name). Upload a CSV or XLSX file."
            )
        ) from None
    with archive:
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > IMPORT_MAX_UNPACKED:
            raise Unreadable(
                _(
                    "This file unpacks to far more than a spreadsheet of its size could hold, "
                    "so it was refused unread."
                )
            )
        if "xl/workbook.xml" not in archive.namelist():
            raise Unreadable(_("This file is not an Excel workbook. Upload a CSV or XLSX file."))
        _count_cells(archive)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The path of the workbook's first sheet (the one read), from workbook.xml and its
    relationships, as openpyxl finds it."""
    from defusedxml import ElementTree

    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    ids = [
        value
        for sheet in workbook.iter()
        if _local(sheet.tag) == "sheet"
        for name, value in sheet.attrib.items()
        if _local(name) == "id"
    ]
    if not ids or "xl/_rels/workbook.xml.rels" not in archive.namelist():
        return None
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter():
        if rel.get("Id") == ids[0]:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


class _Counter(ContentHandler):
    """Counts a sheet's cells and rows, and a workbook's shared strings, as the SAX
    parser meets them, refusing as soon as a limit is passed: no element is built."""

    def __init__(self) -> None:
        super().__init__()
        self.most = settings.IMPORT_MAX_ROWS * MAX_COLUMNS
        self.rows = self.cells_in_row = self.cells = self.strings = 0

    def startElement(self, name: str, attrs: Any) -> None:
        name = name.rpartition(":")[2]
        if name == "c":
            self.cells += 1
            self.cells_in_row += 1
            if self.cells_in_row > MAX_CELLS_IN_A_ROW:
                raise Unreadable(
                    _(
                        "A row of this workbook has more than %(limit)s cells, more than "
                        "Excel itself allows, so it was refused unread."
                    )
                    % {"limit": f"{MAX_CELLS_IN_A_ROW:,}"}
                )
            if self.cells > self.most:
                # Every cell the rows an import may have could hold, and room to spare.
                raise Unreadable(
                    _(
                        "The workbook holds more than %(limit)s cells, far more than an "
                        "import needs, so it was refused unread."
                    )
                    % {"limit": f"{self.most:,}"}
                )
        elif name == "si":
            self.strings += 1
            if self.strings > MAX_SHARED_STRINGS:
                raise Unreadable(
                    _(
                        "The workbook holds more than %(limit)s different texts, far more "
                        "than an import needs, so it was refused unread."
                    )
                    % {"limit": f"{MAX_SHARED_STRINGS:,}"}
                )

    def endElement(self, name: str) -> None:
        if name.rpartition(":")[2] == "row":
            self.rows += self.cells_in_row > 0
            self.cells_in_row = 0
            if self.rows > settings.IMPORT_MAX_ROWS + 1:  # the header is a row too
                raise too_many_rows()


def _count_cells(archive: zipfile.ZipFile) -> None:
    """Refuse what would make openpyxl build far more than a spreadsheet holds, counted
    on the stream (SAX, with defusedxml's guard against entities) before anything is
    built."""
    from defusedxml import sax

    names = set(archive.namelist())
    counter = _Counter()
    members = ["xl/sharedStrings.xml", _first_sheet(archive)]
    for member in members:
        if member in names:
            parser = sax.make_parser()
            parser.setContentHandler(counter)
            with archive.open(member) as stream:
                parser.parse(stream)


def _openpyxl() -> Any:
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        # Without defusedxml, openpyxl would expand XML entities: never read then.
        raise ImproperlyConfigured("defusedxml must be installed for spreadsheet imports.")
    return openpyxl


def _screen_xlsx(data: bytes) -> None:
    try:
        _check_zip(data)
    except Unreadable:
        raise
    except Exception as error:
        raise _damaged(error) from None


def _read_xlsx(data: bytes) -> Sheet:
    openpyxl = _openpyxl()
    try:
        values_book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formula_book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            return _sheet_from(values_book.worksheets[0], formula_book.worksheets[0])
        finally:
            values_book.close()
            formula_book.close()
    except Unreadable:
        raise
    except IndexError:
        raise Unreadable(_("The workbook has no sheet.")) from None
    except Exception as error:
        raise _damaged(error) from None


def _damaged(error: Exception) -> Unreadable:
    from defusedxml import DefusedXmlException

    if _caused_by(error, DefusedXmlException):
        return Unreadable(
            _(
                "This file holds XML that Doorway does not read (entity declarations, which "
                "can be used in attacks). Open it in your spreadsheet program, save it again "
                "as .xlsx, and upload that."
            )
        )
    # openpyxl and the XML parser raise many kinds of error on a damaged file; none of
    # them helps her.
    return Unreadable(
        _(
            "This file could not be read as a spreadsheet. Open it in your spreadsheet "
            "program, save it again as .xlsx or CSV, and upload that."
        )
    )


def _caused_by(error: BaseException | None, kind: type[BaseException]) -> bool:
    """Is `kind` anywhere in the chain of `error` (openpyxl wraps what it caught)?"""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, kind):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _sheet_from(values: Any, formulas: Any) -> Sheet:
    limit = settings.IMPORT_MAX_ROWS
    value_rows = values.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    formula_rows = formulas.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    sheet: Sheet | None = None
    for number, (row, raw) in enumerate(zip(value_rows, formula_rows, strict=False), start=1):
        cells = [_cell(value, source) for value, source in zip(row, raw, strict=False)]
        while cells and cells[-1] is None:
            cells.pop()
        if sheet is None:
            sheet = Sheet(header=[c if isinstance(c, str) else "" for c in cells])
            continue
        if any(c is not None for c in cells):
            sheet.rows.append((number, cells))
            if len(sheet.rows) > limit:
                break
    return sheet or Sheet(header=[])


def _cell(value: Any, source: Any) -> Cell:
    if value is None:
        if isinstance(source, str) and source.startswith("="):
            return FORMULA
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | decimal.Decimal):
        return number_text(value)
    if isinstance(value, datetime.time):
        return value.isoformat()
    return clean_text(str(value))


def number_text(value: float | decimal.Decimal) -> str:
    """5.0 → "5", 2.50 → "2.5": as the spreadsheet showed it, not as a float prints."""
    number = decimal.Decimal(str(value))
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def clean_text(value: str | None) -> str | None:
    """Stripped (non-breaking spaces too), None when blank. A leading apostrophe put
    before a formula character by an export (so that it could not run) is dropped."""
    if value is None:
        return None
    text = value.replace("\u00a0", " ").replace("\ufeff", "").strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text or None

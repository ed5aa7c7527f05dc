"""Reading uploads as hostile files: sizes, XML attacks, zip bombs, formulas, other
kinds of file; and messy but honest files (BOMs, Windows-1252, semicolons, header
spelling, blank rows, date cells)."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Sequence

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from doorway.exchange.imports import cells, reading
from doorway.exchange.imports.cells import CellProblem
from doorway.exchange.imports.reading import FORMULA, Unreadable, read_upload


def xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def replace_member(data: bytes, name: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == name:
                body = change(body)
            target.writestr(info.filename, body)
    return out.getvalue()


# --- XLSX ----------------------------------------------------------------------------------


def test_openpyxl_parses_with_defusedxml():
    import openpyxl
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML is True
    assert functions.iterparse.__module__.startswith("defusedxml")


def test_an_xlsx_reads_text_numbers_and_date_cells():
    # A spreadsheet's date cell has no time zone: openpyxl gives a naive datetime.
    day = datetime.datetime(2024, 3, 31)  # noqa: DTZ001
    data = xlsx([["External id", "Date"], ["P1", day], [7, 2.5]])
    sheet = read_upload(data, "file.xlsx")
    assert sheet.header == ["External id", "Date"]
    assert sheet.rows == [(2, ["P1", datetime.date(2024, 3, 31)]), (3, ["7", "2.5"])]


def test_a_formula_without_a_saved_value_is_never_computed():
    # openpyxl writes formulas without a value, as a hostile file would.
    sheet = read_upload(xlsx([["a", "b"], ["=1+1", '=HYPERLINK("http://x","y")']]), "f.xlsx")
    assert sheet.rows == [(2, [FORMULA, FORMULA])]
    with pytest.raises(CellProblem, match="A formula is not allowed"):
        cells.text(FORMULA)


def test_a_formula_with_a_saved_value_gives_that_value():
    data = replace_member(
        xlsx([["a"], ["placeholder"]]),
        "xl/worksheets/sheet1.xml",
        lambda body: body.replace(
            b'<c r="A2" t="inlineStr"><is><t>placeholder</t></is></c>',
            b'<c r="A2"><f>1+1</f><v>2</v></c>',
        ),
    )
    assert read_upload(data, "f.xlsx").rows == [(2, ["2"])]


def test_an_xml_entity_expansion_attack_is_refused_in_plain_words():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    for member in ("xl/workbook.xml", "xl/worksheets/sheet1.xml"):
        data = replace_member(
            xlsx([["a"], ["b"]]),
            member,
            lambda body: laughs + body.split(b"?>", 1)[-1].replace(b"<t>b</t>", b"<t>&lol3;</t>"),
        )
        with pytest.raises(Unreadable, match="entity declarations"):
            read_upload(data, "laughs.xlsx")


def test_a_zip_bomb_is_refused_unread(monkeypatch):
    monkeypatch.setattr(reading, "IMPORT_MAX_UNPACKED", 1024 * 1024)
    out = io.BytesIO(xlsx([["a"], ["b"]]))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", b" " * 2_000_000)
    data = out.getvalue()
    assert len(data) < 100_000
    with pytest.raises(Unreadable, match="unpacks to far more"):
        read_upload(data, "bomb.xlsx")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.7\n%binary", "caseload.xlsx", "This is a PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "caseload.xls", "old Excel file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.csv", "not a spreadsheet"),
        (b"not a zip at all", "caseload.xlsx", "not a spreadsheet"),
        (b"   \n  ", "empty.csv", "The file is empty"),
    ],
)
def test_other_kinds_of_file_are_refused_in_plain_words(data, name, message):
    with pytest.raises(Unreadable, match=message):
        read_upload(data, name)


def test_a_zip_that_is_no_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(Unreadable, match="not an Excel workbook"):
        read_upload(out.getvalue(), "letter.xlsx")


@override_settings(IMPORT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(Unreadable, match="larger than"):
        read_upload(b"a,b\n" + b"x,y\n" * 50, "big.csv")


@override_settings(IMPORT_MAX_ROWS=3)
def test_a_file_over_the_row_limit_is_refused():
    read_upload(b"a\n1\n2\n3\n", "ok.csv")
    with pytest.raises(Unreadable, match="more than 3 rows"):
        read_upload(b"a\n1\n2\n3\n4\n", "long.csv")
    with pytest.raises(Unreadable, match="more than 3 rows"):
        read_upload(xlsx([["a"], [1], [2], [3], [4]]), "long.xlsx")


# --- CSV -------------------------------------------------------------------------------------


def test_a_csv_with_a_bom_semicolons_and_windows_1252_reads():
    data = "Préféré;Date\r\n  Zoé  ;31/03/2024\r\n;\r\nAnaïs;2024-03-31\r\n".encode("cp1252")
    sheet = read_upload(data, "export.csv")
    assert sheet.header == ["Préféré", "Date"]
    assert sheet.rows == [(2, ["Zoé", "31/03/2024"]), (4, ["Anaïs", "2024-03-31"])]
    bom = "\ufeffName,Date\nZoé,2024-03-31\n".encode()
    assert read_upload(bom, "x.csv").header == ["Name", "Date"]


def test_a_leading_apostrophe_from_an_export_is_dropped():
    sheet = read_upload(b"a,b\n'=not a formula,'plain\n", "x.csv")
    assert sheet.rows == [(2, ["=not a formula", "'plain"])]


@pytest.mark.parametrize(
    ("header", "delimiter"), [("a,b;c", ","), ("a;b;c", ";"), ("a\tb", "\t"), ('"x;y",b', ",")]
)
def test_the_delimiter_is_sniffed_from_the_header(header, delimiter):
    assert reading.sniff_delimiter(header + "\n") == delimiter


# --- dates and other cells ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-31", datetime.date(2024, 3, 31)),
        ("2024-3-1", datetime.date(2024, 3, 1)),
        ("31/03/2024", datetime.date(2024, 3, 31)),
        ("01/02/2024", datetime.date(2024, 2, 1)),
        ("1.2.2024", datetime.date(2024, 2, 1)),
        ("2024-03-31 00:00:00", datetime.date(2024, 3, 31)),
        (datetime.date(2024, 3, 31), datetime.date(2024, 3, 31)),
        (None, None),
    ],
)
def test_dates_read_iso_date_cells_and_day_first(value, expected):
    assert cells.date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("03/31/2024", "month first"),
        ("31/03/24", "year in full"),
        ("2024-02-30", "no such date"),
        ("next tuesday", "not a date"),
    ],
)
def test_dates_that_would_be_guessed_are_refused(value, message):
    with pytest.raises(CellProblem, match=message):
        cells.date(value)


def test_codes_match_code_or_label_whatever_the_case_and_spacing():
    choices = [("phone_text", "Phone or text"), ("counselling", "Individual counselling")]
    assert cells.code("  PHONE-TEXT ", choices, what="kind") == "phone_text"
    assert cells.code("individual   Counselling", choices, what="kind") == "counselling"
    assert cells.codes("phone_text; counselling;", choices, what="kind") == [
        "phone_text",
        "counselling",
    ]


@given(st.one_of(st.none(), st.text(max_size=40), st.dates()))
def test_any_cell_is_a_date_none_or_a_plain_problem(value):
    result: datetime.date | str | None
    try:
        result = cells.date(value)
    except CellProblem as problem:
        result = str(problem)
    assert result is None or isinstance(result, datetime.date | str)
    assert result != ""


@given(st.one_of(st.none(), st.text(max_size=20)))
def test_any_cell_is_a_whole_number_none_or_a_plain_problem(value):
    try:
        result = cells.whole_number(value)
    except CellProblem:
        return
    assert result is None or result >= 0


def test_no_text_in_a_cell_passes_for_a_formula() -> None:
    """The formula mark was once the text "\\x00formula": a cell holding that text was
    refused as a formula (found by the property test below)."""
    with pytest.raises(CellProblem) as problem:
        cells.code("\x00formula", [("group", "Group")], what="session kind")
    assert str(problem.value).endswith("Use one of: group.")
    assert cells.text("\x00formula") == "\x00formula"


@given(st.text(max_size=30))
def test_any_text_is_a_known_code_or_a_plain_problem(value):
    choices = [("drop_in", "Weekly drop-in"), ("group", "Psycho-education group")]
    try:
        result = cells.code(value, choices, what="session kind")
    except CellProblem as problem:
        result = str(problem)
        assert result.endswith("Use one of: drop_in, group.")
    assert result in {None, "drop_in", "group"} or "Unknown session kind" in result


@given(st.binary(max_size=300))
@override_settings(IMPORT_MAX_ROWS=50)
def test_any_bytes_read_or_are_refused_in_plain_words(data):
    for name in ("upload.csv", "upload.xlsx"):
        try:
            header: object = read_upload(data, name).header
        except Unreadable as problem:
            header = str(problem)
        assert isinstance(header, list) or (isinstance(header, str) and header)


messy = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=12)


@given(
    st.lists(st.lists(messy, min_size=2, max_size=2), min_size=1, max_size=6),
    st.sampled_from([",", ";"]),
    st.sampled_from(["utf-8", "utf-8-sig"]),
)
def test_messy_csv_cells_come_back_stripped(rows, delimiter, encoding):
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["External id", "Name"])
    writer.writerows(rows)
    sheet = read_upload(out.getvalue().encode(encoding), "messy.csv")
    assert sheet.header == ["External id", "Name"]
    expected = [
        [reading.clean_text(v) for v in row]
        for row in rows
        if any(reading.clean_text(v) is not None for v in row)
    ]
    assert [values for _, values in sheet.rows] == expected

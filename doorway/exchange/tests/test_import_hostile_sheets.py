"""Small spreadsheets that would make the reader build millions of cells are counted on
the stream and refused before openpyxl builds anything; Excel's "Unicode text" (UTF-16)
reads like any other CSV."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.test import override_settings

from doorway.exchange.imports import reading
from doorway.exchange.imports.reading import Unreadable, read_upload
from doorway.exchange.tests.test_import_reading import replace_member, xlsx


def wide_row(cells: int) -> bytes:
    """A workbook whose first row holds `cells` cells: a few tens of KB zipped."""

    def change(body: bytes) -> bytes:
        row = b"".join(b'<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(cells))
        start = body.index(b"<sheetData>") + len(b"<sheetData>")
        end = body.index(b"</sheetData>")
        return body[:start] + b'<row r="1">' + row + b"</row>" + body[end:]

    return replace_member(xlsx([["a"]]), "xl/worksheets/sheet1.xml", change)


@pytest.fixture
def openpyxl_never_opens(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> Any:
        raise AssertionError("openpyxl was asked to build the workbook")

    monkeypatch.setattr(reading, "_openpyxl", refuse)


def test_a_row_wider_than_excel_allows_is_refused_before_anything_is_built(
    openpyxl_never_opens: None,
) -> None:
    data = wide_row(reading.MAX_CELLS_IN_A_ROW + 1)
    assert len(data) < 64 * 1024
    with pytest.raises(Unreadable, match="more than 16,384 cells"):
        read_upload(data, "wide.xlsx")


def test_a_row_as_wide_as_excel_allows_still_reads() -> None:
    sheet = read_upload(wide_row(reading.MAX_CELLS_IN_A_ROW), "wide.xlsx")
    assert len(sheet.header) == reading.MAX_COLUMNS


@override_settings(IMPORT_MAX_ROWS=3)
def test_rows_past_the_limit_are_counted_before_anything_is_built(
    openpyxl_never_opens: None,
) -> None:
    with pytest.raises(Unreadable, match="more than 3 rows"):
        read_upload(xlsx([["a"], [1], [2], [3], [4], [5]]), "long.xlsx")


def test_too_many_shared_strings_are_refused_before_anything_is_built(
    monkeypatch: pytest.MonkeyPatch, openpyxl_never_opens: None
) -> None:
    monkeypatch.setattr(reading, "MAX_SHARED_STRINGS", 10)
    out = io.BytesIO(xlsx([["a"], ["b"]]))
    strings = b"".join(b"<si><t>%d</t></si>" % n for n in range(11))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "xl/sharedStrings.xml",
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + strings
            + b"</sst>",
        )
    with pytest.raises(Unreadable, match="more than 10 different texts"):
        read_upload(out.getvalue(), "strings.xlsx")


EXCEL_UNICODE_TEXT = "Prénom\tNom\r\nRosa\tBélanger\r\n"


@pytest.mark.parametrize(
    "data",
    [
        EXCEL_UNICODE_TEXT.encode("utf-16"),  # with its byte-order mark, as Excel saves
        EXCEL_UNICODE_TEXT.encode("utf-16-le"),
        EXCEL_UNICODE_TEXT.encode("utf-16-be"),
    ],
    ids=["utf-16 with bom", "utf-16-le", "utf-16-be"],
)
def test_excel_unicode_text_reads(data: bytes) -> None:
    sheet = read_upload(data, "export.txt")
    assert sheet.header == ["Prénom", "Nom"]
    assert sheet.rows == [(2, ["Rosa", "Bélanger"])]


@override_settings(IMPORT_MAX_ROWS=10)
def test_more_cells_in_all_than_the_rows_could_hold_are_refused(
    openpyxl_never_opens: None,
) -> None:
    rows = [[str(n)] * 100 for n in range(9)]  # 900 cells in 9 rows: past 10 x 60
    with pytest.raises(Unreadable, match="more than 600 cells"):
        read_upload(xlsx(rows), "many.xlsx")

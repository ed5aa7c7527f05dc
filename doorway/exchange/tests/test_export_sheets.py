"""Cells written to CSV and XLSX can never run as formulas, whatever the text."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import re

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from doorway.exchange.sheets import FORMULA_STARTS, csv_bytes, neutralise, xlsx_bytes

ATTACKS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://evil.example","click")',
    "=cmd|' /C calc'!A0",
]

# Text that starts like a formula, often: the strategy leans on the dangerous starts.
texts = st.one_of(
    st.text(),
    st.builds(lambda start, rest: start + rest, st.sampled_from(FORMULA_STARTS), st.text()),
)


def as_xml_reads(text: str) -> str:
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline="")))


def read_xlsx(data: bytes) -> list[list[openpyxl.cell.Cell]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows()]


def test_known_attacks_are_neutralised_in_csv() -> None:
    rows = read_csv(csv_bytes(["Value"], [[a] for a in ATTACKS]))
    assert [r[0] for r in rows[1:]] == ["'" + a for a in ATTACKS]


def test_known_attacks_are_text_cells_in_xlsx_with_their_exact_characters() -> None:
    rows = read_xlsx(xlsx_bytes(["Value"], [[a] for a in ATTACKS]))
    cells = [r[0] for r in rows[1:]]
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells)
    # XML reads a carriage return as a line feed; nothing else changes.
    assert [c.value for c in cells] == [a.replace("\r", "\n") for a in ATTACKS]


def test_a_formula_like_header_is_neutralised_too() -> None:
    assert read_csv(csv_bytes(["=1+1"], []))[0] == ["'=1+1"]
    assert read_xlsx(xlsx_bytes(["=1+1"], []))[0][0].data_type == "s"


@given(st.lists(st.lists(texts, min_size=1, max_size=4), max_size=6))
def test_no_csv_field_starts_like_a_formula_and_each_reads_back(rows: list[list[str]]) -> None:
    back = read_csv(csv_bytes(["a", "b", "c", "d"], rows))[1:]
    for written, read in zip(rows, back, strict=True):
        for original, field in zip(written, read, strict=True):
            assert not field.startswith(FORMULA_STARTS)
            expected = "'" + original if original.startswith(FORMULA_STARTS) else original
            assert field == expected


@given(st.lists(st.lists(texts, min_size=1, max_size=4), max_size=6))
def test_no_xlsx_cell_is_a_formula(rows: list[list[str]]) -> None:
    back = read_xlsx(xlsx_bytes(["a", "b", "c", "d"], rows))
    for row in back:
        for cell in row:
            assert cell.data_type != "f"
    for written, read in zip(rows, back[1:], strict=True):
        # Rows read back are as wide as the widest.
        for original, cell in zip(written, read, strict=False):
            if original:
                assert cell.data_type == "s"
                # The exact text, without an apostrophe: only what XML itself cannot
                # carry differs (control characters, a carriage return).
                assert cell.value == as_xml_reads(original)


def test_numbers_dates_and_booleans_keep_their_types() -> None:
    day = datetime.date(2026, 3, 1)
    values = [3, decimal.Decimal("-12.50"), -4, day, True, None]
    assert [neutralise(v) for v in values] == values
    row = read_xlsx(xlsx_bytes(["a"] * 6, [values]))[1]
    assert [c.data_type for c in row[:5]] == ["n", "n", "n", "d", "b"]
    assert read_csv(csv_bytes(["a"] * 6, [values]))[1] == [
        "3",
        "-12.50",
        "-4",
        "2026-03-01",
        "yes",
        "",
    ]


def test_control_characters_xml_cannot_hold_are_replaced_not_refused() -> None:
    row = read_xlsx(xlsx_bytes(["a"], [["before\x00\x07after"]]))[1]
    assert row[0].value == "before\ufffd\ufffdafter"

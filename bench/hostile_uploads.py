"""How much memory and time the upload reader spends on hostile spreadsheets, and on an
honest one for comparison (issue 14, point 7).

    .venv/bin/python bench/hostile_uploads.py

Each file is built in memory, then read by `doorway.exchange.imports.reading.read_upload`
(the code an import runs) in a fresh Python process, so that each peak is its own: the
script prints the file's size, what the reader answered, the seconds it took and the
process's peak resident memory, against the same process having only imported the
reader, its file already in memory (the peak is reset by /proc/self/clear_refs, so
Linux only). Nothing is asserted: it only measures.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHEET = "xl/worksheets/sheet1.xml"
NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def workbook(sheet_rows: bytes, shared: bytes | None = None) -> bytes:
    """A minimal XLSX whose first sheet holds `sheet_rows` inside <sheetData>."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr(
            SHEET, b"<worksheet " + NS + b"><sheetData>" + sheet_rows + b"</sheetData></worksheet>"
        )
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", b"<sst " + NS + b">" + shared + b"</sst>")
    return out.getvalue()


def cases() -> dict[str, tuple[str, bytes]]:
    honest_rows = b"".join(
        b"<row>" + b"".join(b"<c><v>%d</v></c>" % (r * 20 + c) for c in range(20)) + b"</row>"
        for r in range(5001)
    )
    one_wide_row = b"<row>" + b"<c><v>1</v></c>" * 2_000_000 + b"</row>"
    wide_rows = (b"<row>" + b"<c/>" * 16_384 + b"</row>") * 1_220  # 20 million cells
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr(SHEET, b" " * 400_000_000)
    strings = b"<si><t>x</t></si>" * 1_500_000
    csv_50mb = b"a,b,c\n" + b"1,2,3\n" * (50 * 1024 * 1024 // 6)
    return {
        "honest: 5,000 rows x 20 columns": ("honest.xlsx", workbook(honest_rows)),
        "one row of 2,000,000 cells": ("wide.xlsx", workbook(one_wide_row)),
        "20,000,000 empty cells in 1,220 rows": ("cells.xlsx", workbook(wide_rows)),
        "zip bomb (400 MB unpacked)": ("bomb.xlsx", bomb.getvalue()),
        "1,500,000 shared strings": ("strings.xlsx", workbook(b"<row/>", strings)),
        "a 50 MB CSV": ("big.csv", csv_50mb),
    }


CHILD = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doorway.settings_test")
import django; django.setup()
from doorway.exchange.imports.reading import Unreadable, read_upload

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

data = open(sys.argv[1], "rb").read()
# Reset the peak to what is resident now (Linux), so the peak below is the reader's.
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
before = status("VmRSS")
start = time.perf_counter()
try:
    sheet = read_upload(data, sys.argv[2])
    answer = f"read: {len(sheet.rows):,} rows"
except Unreadable as problem:
    answer = "refused: " + str(problem)[:60]
seconds = time.perf_counter() - start
print(f"{seconds:.2f}\t{before:.0f}\t{status('VmHWM'):.0f}\t{answer}")
"""


def main() -> None:
    print("file\tsize\tseconds\tMB before\tpeak MB\tanswer")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "upload"
        for label, (name, data) in cases().items():
            path.write_bytes(data)
            size = f"{len(data) / 1024:,.0f} KB"
            del data  # not held by this process while the child reads
            done = subprocess.run(  # noqa: S603 (this interpreter, this script's code)
                [sys.executable, "-c", CHILD, str(path), name],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            print(f"{label}\t{size}\t{done.stdout.strip()}")


if __name__ == "__main__":
    main()

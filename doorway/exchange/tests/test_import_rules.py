"""What an import may do: register only where the registration page would let her,
name a likely duplicate only when she reaches that record, read messy files as an
agency's old spreadsheet comes."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import Workbook

from doorway.audit.models import AuditEntry
from doorway.exchange.models import JobStatus
from doorway.exchange.tests.importing_helpers import (
    PARTICIPANT_HEADER,
    csv_file,
    dry_run,
    import_file,
    messages,
    participant_row,
)
from doorway.people.models import Participant

pytestmark = pytest.mark.django_db


def test_another_agencys_case_manager_cannot_register_into_this_program(world):
    before = Participant.objects.count()
    job = import_file(
        world.oscar,
        "participants",
        csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia", manager="")]),
    )
    assert job.status == JobStatus.FAILED
    assert [m.split("|")[1] for m in messages(job)] == ["Program cycle"]
    assert Participant.objects.count() == before


def test_a_case_manager_assigns_only_herself_or_a_teammate(world):
    rows = [
        participant_row("P1", "Nadia", manager="amira"),
        participant_row("P2", "Olga", manager="bianca"),
        participant_row("P3", "Petra", manager=""),
    ]
    job = dry_run(world.alice, "participants", csv_file(PARTICIPANT_HEADER, rows))
    assert messages(job) == [
        "3|Case manager|Not a case manager you can assign (give her username)."
    ]


def test_a_program_manager_names_the_case_manager(world):
    job = dry_run(
        world.morgan,
        "participants",
        csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia", manager="")]),
    )
    assert messages(job) == ["2|Case manager|Case manager is missing."]


def test_the_same_woman_twice_in_the_file_is_a_problem_unless_checked(world):
    header = [*PARTICIPANT_HEADER, "Checked: different person"]
    rows = [[*participant_row("P1", "Nadia"), ""], [*participant_row("P2", "Nadia"), ""]]
    job = dry_run(world.alice, "participants", csv_file(header, rows))
    assert [m.split("|")[:2] for m in messages(job)] == [["3", "Preferred name"]]
    assert "Same name as row 2" in messages(job)[0]
    rows[1][-1] = "yes"
    assert messages(dry_run(world.alice, "participants", csv_file(header, rows))) == []


def test_a_likely_duplicate_is_named_only_when_she_reaches_the_record(world):
    # Rosa Example is Alice's; Uma Example is Bianca's, on another team.
    rows = [participant_row("P1", "Rosa", dob=""), participant_row("P2", "Uma", dob="")]
    rows[0][2], rows[1][2] = "Rosa Example", "Uma Example"
    job = dry_run(world.alice, "participants", csv_file(PARTICIPANT_HEADER, rows))
    found = messages(job)
    assert any(
        world.rosa.code in m and m.startswith("2|Preferred name|Likely the same woman")
        for m in found
    )
    # A record she cannot open is never mentioned (her program manager is told).
    assert not any(m.startswith("3|") for m in found)
    assert not any(world.uma.code in m for m in found)
    # The names read for the check are audited as a search: which records were shown.
    entry = AuditEntry.objects.get(detail__purpose="import_duplicate_check")
    assert entry.detail["shown"] == [str(world.rosa.pk)]


def test_a_messy_spreadsheet_imports_as_an_agency_would_send_it(world):
    """Headers in another case, spacing and order, an unknown column, trailing spaces,
    blank rows, Excel date cells next to typed dates, a semicolon CSV in Windows-1252."""
    text = (
        "  preferred NAME *;EXTERNAL ID;Notes from 2019;Date of Birth;program cycle;"
        "REFERRED BY;Referral Date\r\n"
        " Zoé  ; OLD-1 ;anything;17/05/1990;Cycle 1; Street outreach ;2025-01-31\r\n"
        ";;;;;;\r\n"
        "Anaïs;OLD-2;;;cycle 1;self;31/01/2025\r\n"
    )
    job = import_file(world.alice, "participants", text.encode("cp1252"), "old.csv")
    assert job.status == JobStatus.DONE, messages(job)
    zoe = Participant.objects.with_name("zoe").get()
    assert zoe.preferred_name == "Zoé"
    assert zoe.date_of_birth == datetime.date(1990, 5, 17)
    assert zoe.enrolments.get().referral_source == "outreach"

    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "External id",
            "Preferred name",
            "Date of birth",
            "Program cycle",
            "Referred by",
            "Referral date",
        ]
    )
    sheet.append(
        [
            "OLD-3",
            "Bea",
            datetime.datetime(1991, 2, 3),  # noqa: DTZ001 - spreadsheet cells have no zone
            "Cycle 1",
            "self",
            datetime.datetime(2025, 1, 31),  # noqa: DTZ001
        ]
    )
    sheet.append(["OLD-4", "Cleo", "=DATE(1990,1,1)", "Cycle 1", "self", "2025-01-31"])
    out = io.BytesIO()
    book.save(out)
    job = import_file(world.alice, "participants", out.getvalue(), "old.xlsx")
    assert messages(job) == [
        "3|Date of birth|A formula is not allowed here: type the value itself."
    ]
    assert not Participant.objects.with_name("Bea").exists()
    sheet.delete_rows(3)
    out = io.BytesIO()
    book.save(out)
    job = import_file(world.alice, "participants", out.getvalue(), "old.xlsx")
    assert job.status == JobStatus.DONE, messages(job)
    bea = Participant.objects.with_name("Bea").get()
    assert bea.date_of_birth == datetime.date(1991, 2, 3)
    assert bea.enrolments.get().referred_on == datetime.date(2025, 1, 31)


def test_a_missing_column_is_reported_for_the_whole_file(world):
    job = dry_run(world.alice, "participants", csv_file(["External id", "Name"], [["P1", "Nadia"]]))
    assert "1|Program cycle|The column 'Program cycle' is missing." in messages(job)

"""Importing participants: the dry run saves nothing, a bad row saves nothing, the same
file twice creates nobody twice, and a likely duplicate is named only when reachable."""

from __future__ import annotations

import pytest

from doorway.audit.models import AuditEntry
from doorway.enrolments.models import Enrolment
from doorway.exchange.models import ExternalId, JobStatus
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


def counts() -> tuple[int, int, int]:
    return Participant.objects.count(), Enrolment.objects.count(), ExternalId.objects.count()


def test_a_clean_file_imports_every_row(world):
    data = csv_file(
        PARTICIPANT_HEADER, [participant_row("P1", "Nadia"), participant_row("P2", "Olga")]
    )
    job = import_file(world.alice, "participants", data)
    assert job.status == JobStatus.DONE, messages(job)
    assert job.rows_saved == 2
    assert job.created == {"participant": 2, "enrolment": 2}
    nadia = Participant.objects.with_name("Nadia Importedsurname").get()
    enrolment = nadia.enrolments.get()
    assert enrolment.case_manager == world.alice
    assert str(enrolment.referred_on) == "2025-01-31"
    assert job.rows == ""


def test_the_dry_run_saves_nothing(world):
    before = counts()
    audit_before = AuditEntry.objects.count()
    data = csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia")])
    job = dry_run(world.alice, "participants", data)
    assert job.status == JobStatus.CHECKED
    assert job.problem_list() == []
    assert counts() == before
    assert AuditEntry.objects.count() == audit_before


def test_a_failing_row_leaves_the_database_unchanged(world):
    before = counts()
    rows = [
        participant_row("P1", "Nadia"),
        participant_row("P2", "Olga", source="nowhere"),
        participant_row("P3", "Petra", referred="31/02/2025"),
    ]
    job = import_file(world.alice, "participants", csv_file(PARTICIPANT_HEADER, rows))
    assert job.status == JobStatus.FAILED
    assert counts() == before
    found = messages(job)
    assert any(m.startswith("3|Referred by|Unknown referral source 'nowhere'") for m in found)
    assert any(m.startswith("4|Referral date|There is no such date") for m in found)


def test_re_importing_the_same_file_changes_nothing(world):
    data = csv_file(
        PARTICIPANT_HEADER, [participant_row("P1", "Nadia"), participant_row("P2", "Olga")]
    )
    import_file(world.alice, "participants", data)
    before = counts()
    again = import_file(world.alice, "participants", data)
    assert again.status == JobStatus.DONE
    assert again.already_imported == 2
    assert again.rows_saved == 0
    assert counts() == before

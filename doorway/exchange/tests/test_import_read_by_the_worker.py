"""A workbook is read by the worker, never within the web request: the request only
screens it (its size, its kind, its cells counted on the stream), keeps it encrypted
on the job and queues the dry run; the worker reads it, checks it and lets the upload
go. A small CSV is still read at once, so its dry run shows without waiting."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from doorway.conftest import World
from doorway.exchange.imports import reading
from doorway.exchange.models import ImportJob, JobStatus
from doorway.exchange.tests.importing_helpers import (
    PARTICIPANT_HEADER,
    csv_file,
    participant_row,
)
from doorway.exchange.tests.test_import_pages import upload
from doorway.exchange.tests.test_import_reading import replace_member, xlsx
from doorway.testing.signin import signed_in
from doorway.testing.worker import DATABASE_QUEUE, run_worker

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = [participant_row("P1", "Nadia"), participant_row("P2", "Olga")]


@pytest.fixture
def no_workbook_read_here(monkeypatch: pytest.MonkeyPatch) -> Any:
    """openpyxl refuses to open in this process until `allow()` is called (as the
    worker, in the same test, after the request)."""
    real = reading._openpyxl

    def refuse() -> Any:
        raise AssertionError("a workbook was read within the request")

    monkeypatch.setattr(reading, "_openpyxl", refuse)
    return lambda: monkeypatch.setattr(reading, "_openpyxl", real)


def test_a_workbook_is_read_by_the_worker_not_the_request(
    client: Any, world: World, monkeypatch: pytest.MonkeyPatch, no_workbook_read_here: Any
) -> None:
    signed_in(client, world.alice)
    data = xlsx([PARTICIPANT_HEADER, *ROWS])
    with override_settings(TASKS=DATABASE_QUEUE):
        response = upload(client, "participants", data, name="caseload.xlsx")
        job = ImportJob.objects.get()
        assert response.status_code == 302
        assert job.status == JobStatus.CHECKING
        assert job.upload
        assert not job.rows
        page = client.get(reverse("import_job", args=[job.pk]))
        assert page.status_code == 200
        no_workbook_read_here()  # what follows runs as the worker
        run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED
    assert job.row_count == 2
    assert job.problem_list() == []
    assert job.upload == ""  # the file itself is let go once read


def test_a_workbook_the_worker_cannot_read_says_why_on_its_page(
    client: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Screening passes (a zip, a workbook, few cells) but the sheet is damaged: the
    worker's reading finds it, the page says it in plain words, nothing is kept."""
    signed_in(client, world.alice)
    damaged = replace_member(
        xlsx([PARTICIPANT_HEADER, *ROWS]), "xl/styles.xml", lambda body: b"<not-styles"
    )
    with override_settings(TASKS=DATABASE_QUEUE):
        upload(client, "participants", damaged, name="caseload.xlsx")
        run_worker(monkeypatch)
    job = ImportJob.objects.get()
    assert job.status == JobStatus.CHECKED
    assert [p["message"] for p in job.problem_list()] == [str(reading._damaged(ValueError()))]
    assert job.upload == ""
    assert job.rows == ""
    page = client.get(reverse("import_job", args=[job.pk]))
    assert "could not be read as a spreadsheet" in page.content.decode()


def test_a_workbook_refused_by_screening_is_a_form_error_and_keeps_nothing(
    client: Any, world: World, no_workbook_read_here: Any
) -> None:
    signed_in(client, world.alice)
    wide = xlsx([["x"] * 100] * 10)  # 1,000 cells: past 10 rows of 60
    with override_settings(IMPORT_MAX_ROWS=10, TASKS=DATABASE_QUEUE):
        response = upload(client, "participants", wide, name="wide.xlsx")
    assert response.status_code == 200
    assert "refused unread" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_small_csv_is_still_read_and_checked_at_once(client: Any, world: World) -> None:
    signed_in(client, world.alice)
    with override_settings(TASKS=DATABASE_QUEUE):
        upload(client, "participants", csv_file(PARTICIPANT_HEADER, ROWS))
    job = ImportJob.objects.get()
    assert job.status == JobStatus.CHECKED
    assert job.row_count == 2
    assert job.upload == ""


@override_settings(IMPORT_INLINE_BYTES=10)
def test_a_larger_csv_is_read_by_the_worker(
    client: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in(client, world.alice)
    with override_settings(TASKS=DATABASE_QUEUE):
        upload(client, "participants", csv_file(PARTICIPANT_HEADER, ROWS))
        job = ImportJob.objects.get()
        assert job.status == JobStatus.CHECKING
        assert job.upload
        run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED
    assert job.row_count == 2


def test_the_page_says_the_file_is_being_read_until_the_worker_has(
    client: Any, world: World
) -> None:
    signed_in(client, world.alice)
    with override_settings(TASKS=DATABASE_QUEUE):
        upload(client, "participants", xlsx([PARTICIPANT_HEADER, *ROWS]), name="c.xlsx")
    job = ImportJob.objects.get()
    page = client.get(reverse("import_progress", args=[job.pk]))
    assert "Reading the file" in page.content.decode()

"""The import pages: who may use them, the whole flow in the request, the templates."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from doorway.audit.models import AuditEntry
from doorway.enrolments.models import Enrolment
from doorway.exchange.models import ExternalId, ImportJob, ImportKind, JobStatus
from doorway.exchange.tests.importing_helpers import (
    PARTICIPANT_HEADER,
    csv_file,
    participant_row,
)
from doorway.people.models import Participant
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def upload(client, kind: str, data: bytes, name: str = "file.csv"):
    return client.post(
        reverse("import_kind", args=[kind]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def state() -> tuple[int, int, int, int]:
    return (
        Participant.objects.count(),
        Enrolment.objects.count(),
        ExternalId.objects.count(),
        ImportJob.objects.count(),
    )


@pytest.mark.parametrize("who", ["pat", "eve", "ada"])
def test_peer_mentors_evaluators_and_administrators_may_not_import(client, world, who):
    user = world.staff()[who]
    signed_in(client, user)
    before = state()
    data = csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia")])
    assert client.get(reverse("import_home")).status_code == 403
    for kind in ImportKind.values:
        assert client.get(reverse("import_kind", args=[kind])).status_code == 403
        assert client.get(reverse("import_template", args=[kind, "csv"])).status_code == 403
        assert upload(client, kind, data).status_code == 403
    assert state() == before


def test_someone_elses_job_answers_404_and_cannot_be_confirmed(client, world):
    signed_in(client, world.alice)
    data = csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia")])
    response = upload(client, "participants", data)
    job = ImportJob.objects.get()
    assert response.url == reverse("import_job", args=[job.pk])
    client.logout()
    signed_in(client, world.amira)
    before = state()
    assert client.get(reverse("import_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("import_confirm", args=[job.pk])).status_code == 404
    assert state() == before
    assert AuditEntry.objects.filter(action="refused", detail__object_id=str(job.pk)).exists()


def test_upload_dry_run_then_confirm_imports(client, world):
    signed_in(client, world.alice)
    data = csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia")])
    response = upload(client, "participants", data)
    job = ImportJob.objects.get()
    page = client.get(response.url)
    assert b"The check found no problem" in page.content
    assert Participant.objects.with_name("Nadia Importedsurname").count() == 0
    client.post(reverse("import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Participant.objects.with_name("Nadia Importedsurname").count() == 1
    page = client.get(reverse("import_job", args=[job.pk]))
    assert b"1 row saved" in page.content
    # One entry sums the import up, with counts and no personal data.
    entry = AuditEntry.objects.get(object_type="exchange.ImportJob", action="create")
    assert entry.detail["imported"] == 1
    assert "Nadia" not in str(entry.detail)


def test_a_second_upload_of_the_same_file_says_already_imported(client, world):
    signed_in(client, world.alice)
    data = csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia")])
    upload(client, "participants", data)
    client.post(reverse("import_confirm", args=[ImportJob.objects.get().pk]))
    before = state()[:3]
    response = upload(client, "participants", data)
    job = ImportJob.objects.exclude(status=JobStatus.DONE).get()
    page = client.get(response.url)
    assert b"1 row already imported before will be left as it is" in page.content
    client.post(reverse("import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.already_imported, job.rows_saved) == (JobStatus.DONE, 1, 0)
    assert state()[:3] == before


def test_problems_are_listed_by_row_and_column_and_nothing_is_saved(client, world):
    signed_in(client, world.alice)
    rows = [participant_row("P1", "Nadia", dob="1990-13-01")]
    response = upload(client, "participants", csv_file(PARTICIPANT_HEADER, rows))
    page = client.get(response.url)
    assert b"Nothing was saved" in page.content
    assert b"Date of birth" in page.content
    job = ImportJob.objects.get()
    # A file with problems cannot be confirmed, and its rows are not kept.
    assert job.rows == ""
    client.post(reverse("import_confirm", args=[job.pk]))
    assert Participant.objects.with_name("Nadia Importedsurname").count() == 0


def test_an_unreadable_file_is_refused_in_plain_words(client, world):
    signed_in(client, world.alice)
    response = upload(client, "participants", b"%PDF-1.7 not a sheet", name="caseload.xlsx")
    assert response.status_code == 200
    assert b"This is a PDF, not a spreadsheet" in response.content
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize("kind", ImportKind.values)
def test_each_template_has_a_header_and_an_example_row(client, world, kind):
    signed_in(client, world.morgan)
    page = client.get(reverse("import_kind", args=[kind]))
    assert page.status_code == 200
    text = client.get(reverse("import_template", args=[kind, "csv"])).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2
    assert len(rows[0]) == len(rows[1])
    body = client.get(reverse("import_template", args=[kind, "xlsx"])).content
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    assert next(list(r) for r in sheet.iter_rows(values_only=True)) == rows[0]


def test_the_menu_offers_imports_to_case_and_program_managers_only(client, world):
    signed_in(client, world.alice)
    assert reverse("import_home").encode() in client.get("/").content
    client.logout()
    signed_in(client, world.pat)
    assert reverse("import_home").encode() not in client.get("/").content

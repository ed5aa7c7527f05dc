"""Large files go to the background worker; the job page polls its progress; the
upload is kept only encrypted, and only as long as needed."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from doorway.exchange.imports import engine
from doorway.exchange.imports import tasks as import_tasks
from doorway.exchange.models import ImportJob, JobStatus
from doorway.exchange.tests.importing_helpers import (
    PARTICIPANT_HEADER,
    csv_file,
    participant_row,
)
from doorway.exchange.tests.test_import_pages import upload
from doorway.people.models import Participant
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


@override_settings(IMPORT_INLINE_ROWS=0)
def test_a_large_file_is_checked_and_imported_by_background_tasks(client, world, monkeypatch):
    enqueued: list[str] = []

    class Spy:
        """The task, noting its name when it is enqueued."""

        def __init__(self, name: str) -> None:
            self.name, self.task = name, getattr(import_tasks, name)

        def enqueue(self, job_id: object) -> object:
            enqueued.append(self.name)
            return self.task.enqueue(job_id)

    for name in ("check_import", "run_import"):
        monkeypatch.setattr(import_tasks, name, Spy(name))
    signed_in(client, world.alice)
    data = csv_file(
        PARTICIPANT_HEADER, [participant_row("P1", "Nadia"), participant_row("P2", "Olga")]
    )
    response = upload(client, "participants", data)
    job = ImportJob.objects.get()
    assert enqueued == ["check_import"]
    assert b"The check found no problem" in client.get(response.url).content
    client.post(reverse("import_confirm", args=[job.pk]))
    assert enqueued == ["check_import", "run_import"]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Participant.objects.with_name("Olga Importedsurname").exists()


def test_the_progress_bar_is_polled_while_the_job_runs(client, world):
    signed_in(client, world.alice)
    job = engine.start(
        user=world.alice,
        kind="participants",
        data=csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia")]),
        filename="f.csv",
    )
    ImportJob.objects.filter(pk=job.pk).update(rows_checked=1)
    page = client.get(reverse("import_job", args=[job.pk])).content.decode()
    progress = reverse("import_progress", args=[job.pk])
    assert f'hx-get="{progress}"' in page
    assert 'hx-trigger="every 1s"' in page
    assert '<progress class="w-100" value="1" max="1">' in page
    assert "style=" not in page.split('id="import-progress"')[1].split("</div>")[0]
    fragment = client.get(progress)
    assert fragment.status_code == 200
    assert b"1 of 1 row checked" in fragment.content
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.IMPORTING, saving=True, rows_saved=0
    )
    assert b"all together so that either all or none" in client.get(progress).content
    engine.check(ImportJob.objects.get(pk=job.pk))
    ended = client.get(progress)
    assert ended["HX-Refresh"] == "true"


def test_the_upload_is_kept_encrypted_and_emptied_when_the_import_ends(world):
    data = csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia")])
    job = engine.start(user=world.alice, kind="participants", data=data, filename="f.csv")
    # The stored text itself, not decrypted on the way out.
    stored = (
        ImportJob.objects.filter(pk=job.pk)
        .annotate(stored=Cast("rows", TextField()))
        .values_list("stored", flat=True)
        .get()
    )
    assert stored
    assert "Nadia" not in stored
    assert "Importedsurname" not in stored
    assert "Nadia" in ImportJob.objects.get(pk=job.pk).rows
    engine.run(ImportJob.objects.get(pk=job.pk))
    assert ImportJob.objects.get(pk=job.pk).rows == ""


def test_an_upload_nobody_confirmed_is_emptied_after_the_days_it_may_be_kept(world, settings):
    data = csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia")])
    old = engine.start(user=world.alice, kind="participants", data=data, filename="f.csv")
    engine.check(old)
    ImportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=settings.IMPORT_KEEP_DAYS, hours=1)
    )
    fresh = engine.start(user=world.alice, kind="participants", data=data, filename="f.csv")
    old.refresh_from_db()
    assert old.rows == ""
    assert old.status == JobStatus.FAILED
    assert ImportJob.objects.get(pk=fresh.pk).rows != ""


def test_the_daily_command_forgets_stale_uploads(world, settings):
    from django.core.management import call_command

    data = csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia")])
    old = engine.start(user=world.alice, kind="participants", data=data, filename="f.csv")
    ImportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=settings.IMPORT_KEEP_DAYS + 1)
    )
    call_command("forget-import-uploads")
    assert ImportJob.objects.get(pk=old.pk).rows == ""


def test_an_unexpected_error_ends_the_job_and_saves_nothing(world, monkeypatch):
    from doorway.exchange.imports import people

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(people, "register_participant", broken)
    data = csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia")])
    job = engine.run(engine.start(user=world.alice, kind="participants", data=data, filename="f"))
    assert job.status == JobStatus.FAILED
    assert job.rows == ""
    assert job.problem_list()[0]["message"].startswith("Something went wrong on our side")
    assert not Participant.objects.with_name("Nadia Importedsurname").exists()

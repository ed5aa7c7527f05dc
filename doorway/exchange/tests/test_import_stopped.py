"""An import whose worker was killed says so, and the person who uploaded the file can
retry it: the page tells the truth (stopped, nothing saved) instead of "importing"
for ever, and the retry is a POST, checked with the capability rule and audited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.exchange.imports import engine, recovery
from doorway.exchange.imports import tasks as import_tasks
from doorway.exchange.imports.people import ParticipantImporter
from doorway.exchange.models import ExternalId, ImportJob, JobStatus
from doorway.exchange.tests.importing_helpers import (
    PARTICIPANT_HEADER,
    csv_file,
    participant_row,
)
from doorway.exchange.tests.test_import_pages import upload
from doorway.people.models import Participant
from doorway.testing.signin import signed_in
from doorway.testing.worker import DATABASE_QUEUE, left_by_a_killed_worker, run_worker
from doorway.worker.leases import LEASE, STOPPED

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = [participant_row("P1", "Nadia"), participant_row("P2", "Olga")]
AFTER_THE_LEASE = LEASE + datetime.timedelta(minutes=1)


class Killed(BaseException):
    """The worker's process dies here: nothing after it runs, not even `except
    Exception` handlers (the engine's own guard)."""


def queued_for_import(client: Any, world: World, monkeypatch: pytest.MonkeyPatch) -> ImportJob:
    """Uploaded, checked by the worker, confirmed: the import is queued."""
    signed_in(client, world.alice)
    with override_settings(IMPORT_INLINE_ROWS=0, TASKS=DATABASE_QUEUE):
        upload(client, "participants", csv_file(PARTICIPANT_HEADER, ROWS))
        run_worker(monkeypatch)
        job = ImportJob.objects.get()
        client.post(reverse("import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.IMPORTING
    assert job.task_id is not None
    return job


def killed_while_saving(job: ImportJob, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker claims the import and is killed as it saves the second row."""
    left_by_a_killed_worker(task_of(job), ago=datetime.timedelta(0))
    real = ParticipantImporter.save
    saved: list[Any] = []

    def save(importer: ParticipantImporter, plan: Any) -> Any:
        if saved:
            raise Killed
        saved.append(real(importer, plan))
        return saved[-1]

    with monkeypatch.context() as patched:
        patched.setattr(ParticipantImporter, "save", save)
        with pytest.raises(Killed):
            import_tasks.run_import.call(str(job.pk))
    assert saved


def task_of(job: ImportJob) -> DBTaskResult[Any, Any]:
    assert job.task_id is not None
    return DBTaskResult.objects.get(pk=job.task_id)


def page(client: Any, job: ImportJob) -> str:
    return " ".join(client.get(reverse("import_job", args=[job.pk])).content.decode().split())


def test_an_import_whose_worker_was_killed_says_it_stopped_and_that_nothing_was_saved(
    client: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = queued_for_import(client, world, monkeypatch)
    killed_while_saving(job, monkeypatch)
    assert not Participant.objects.with_name("Nadia Importedsurname").exists()
    # While the lease runs, nobody can tell a killed worker from a slow one.
    assert "stopped" not in page(client, job)
    with time_machine.travel(timezone.now() + AFTER_THE_LEASE):
        text = page(client, job)
        assert "The import stopped before it finished; nothing was saved." in text
        assert reverse("import_retry", args=[job.pk]) in text
        # The polling progress bar asks for the page again, which says it.
        progress = client.get(reverse("import_progress", args=[job.pk]))
        assert progress["HX-Refresh"] == "true"
        # The next worker marks the task failed; the page says the same.
        with override_settings(TASKS=DATABASE_QUEUE):
            run_worker(monkeypatch)
        assert task_of(job).exception_class_path == STOPPED
        assert "nothing was saved" in page(client, job)


def test_retrying_a_stopped_import_imports_the_file_and_is_audited(
    client: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = queued_for_import(client, world, monkeypatch)
    killed_while_saving(job, monkeypatch)
    with time_machine.travel(timezone.now() + AFTER_THE_LEASE):
        with override_settings(TASKS=DATABASE_QUEUE):
            response = client.post(reverse("import_retry", args=[job.pk]))
            assert response.status_code == 302
            run_worker(monkeypatch)
        job.refresh_from_db()
        assert job.status == JobStatus.DONE
        assert job.rows_saved == 2
        assert "Imported: 2 rows saved" in page(client, job)
    assert Participant.objects.with_name("Olga Importedsurname").exists()
    entry = AuditEntry.objects.filter(object_id=str(job.pk), action="change").get()
    assert str(entry.actor_id) == str(world.alice.pk)
    assert entry.detail == {"import": "participants", "retried": "importing"}


def test_an_import_still_running_cannot_be_retried(
    client: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = queued_for_import(client, world, monkeypatch)
    killed_while_saving(job, monkeypatch)
    # Within its lease: the worker may be alive and saving.
    with override_settings(TASKS=DATABASE_QUEUE):
        client.post(reverse("import_retry", args=[job.pk]))
    assert DBTaskResult.objects.count() == 2
    assert not AuditEntry.objects.filter(action="change").exists()
    job.refresh_from_db()
    assert job.status == JobStatus.IMPORTING


@pytest.mark.parametrize("who", ["amira", "pat"])
def test_nobody_else_may_retry_her_import(
    client: Any, world: World, monkeypatch: pytest.MonkeyPatch, who: str
) -> None:
    job = queued_for_import(client, world, monkeypatch)
    killed_while_saving(job, monkeypatch)
    client.logout()
    signed_in(client, getattr(world, who))
    with (
        time_machine.travel(timezone.now() + AFTER_THE_LEASE),
        override_settings(TASKS=DATABASE_QUEUE),
    ):
        before = DBTaskResult.objects.count()
        response = client.post(reverse("import_retry", args=[job.pk]))
        # Another case manager is told there is no such job; a peer mentor, that she
        # does not import.
        assert response.status_code == (404 if who == "amira" else 403)
        assert DBTaskResult.objects.count() == before
        assert recovery.stopped(ImportJob.objects.get(pk=job.pk))
    assert not AuditEntry.objects.filter(action="change").exists()


def test_a_check_stopped_with_its_worker_is_retried_as_a_check(
    client: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in(client, world.alice)
    with override_settings(IMPORT_INLINE_ROWS=0, TASKS=DATABASE_QUEUE):
        upload(client, "participants", csv_file(PARTICIPANT_HEADER, ROWS))
    job = ImportJob.objects.get()
    assert job.task_id is not None
    left_by_a_killed_worker(task_of(job))
    text = page(client, job)
    assert "The check of this file stopped before it finished; nothing was saved." in text
    with override_settings(TASKS=DATABASE_QUEUE):
        client.post(reverse("import_retry", args=[job.pk]))
        run_worker(monkeypatch)
    assert "The check found no problem" in page(client, job)


def test_an_import_stopped_after_its_rows_were_saved_says_so_and_a_retry_finishes_it(
    client: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = queued_for_import(client, world, monkeypatch)
    left_by_a_killed_worker(task_of(job), ago=datetime.timedelta(0))

    def killed_after_the_commit(*args: Any, **kwargs: Any) -> None:
        raise Killed

    # The transaction commits; the worker dies before writing the job's result.
    with monkeypatch.context() as patched:
        patched.setattr(ImportJob, "save", killed_after_the_commit)
        with pytest.raises(Killed):
            import_tasks.run_import.call(str(job.pk))
    assert ExternalId.objects.filter(job=job).count() == 2
    with time_machine.travel(timezone.now() + AFTER_THE_LEASE):
        text = page(client, job)
        assert "stopped just after its rows were saved" in text
        assert "nothing was saved" not in text
        with override_settings(TASKS=DATABASE_QUEUE):
            client.post(reverse("import_retry", args=[job.pk]))
            run_worker(monkeypatch)
    job.refresh_from_db()
    assert (job.status, job.rows_saved, job.already_imported) == (JobStatus.DONE, 0, 2)
    assert Participant.objects.with_name("Olga Importedsurname").count() == 1


def test_an_import_cut_off_within_its_request_is_stopped_once_no_request_could_still_run(
    client: Any, world: World
) -> None:
    signed_in(client, world.alice)
    job = engine.start(
        user=world.alice,
        kind="participants",
        data=csv_file(PARTICIPANT_HEADER, ROWS),
        filename="f.csv",
    )
    # The web server killed the request checking it: no task, still "checking".
    assert job.task_id is None
    assert not recovery.stopped(job)
    later = timezone.now() + recovery.WITHIN_A_REQUEST + datetime.timedelta(minutes=1)
    assert recovery.stopped(job, now=later)
    with time_machine.travel(later):
        client.post(reverse("import_retry", args=[job.pk]))
    assert "The check found no problem" in page(client, job)

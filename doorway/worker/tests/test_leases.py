"""A task whose worker was killed is noticed by the next worker: run again when it is
safe to, failed with a clear reason when not; a task still being run is left alone."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from doorway.testing.worker import DATABASE_QUEUE, left_by_a_killed_worker, run_worker
from doorway.worker import leases
from doorway.worker.models import TaskLease
from doorway.worker.tests.chores import recount, send_once

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_queue() -> Any:
    with override_settings(TASKS=DATABASE_QUEUE):
        yield


@pytest.mark.usefixtures("database_queue")
def test_a_task_left_running_by_a_killed_worker_is_run_again_by_the_next_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = recount.enqueue()
    assert leases.still_running(result.id)
    left_by_a_killed_worker(result)
    assert not leases.still_running(result.id)
    run_worker(monkeypatch)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL"
    assert len(row.worker_ids) == 2
    assert not TaskLease.objects.exists()


@pytest.mark.usefixtures("database_queue")
def test_a_task_that_is_not_safe_to_run_twice_is_failed_saying_its_worker_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = send_once.enqueue()
    left_by_a_killed_worker(result)
    run_worker(monkeypatch)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED"
    assert row.exception_class_path == leases.STOPPED
    assert "stopped before the task finished" in row.traceback
    assert row.finished_at is not None
    assert len(row.worker_ids) == 1
    assert not leases.still_running(result.id)


@pytest.mark.usefixtures("database_queue")
def test_a_task_killed_before_its_lease_was_written_is_noticed_once_a_lease_has_passed() -> None:
    result = recount.enqueue()
    left_by_a_killed_worker(result, lease=False, ago=leases.LEASE - datetime.timedelta(seconds=5))
    assert leases.sweep() == leases.Swept()
    assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"
    assert leases.sweep(timezone.now() + datetime.timedelta(seconds=10)).queued_again == 1
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"


@pytest.mark.usefixtures("database_queue")
def test_a_task_whose_lease_is_still_running_is_left_to_its_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = recount.enqueue()
    row = left_by_a_killed_worker(result)
    leases.renew(row.pk)
    assert leases.sweep() == leases.Swept()
    assert leases.still_running(result.id)
    run_worker(monkeypatch)
    assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"


@pytest.mark.usefixtures("database_queue")
def test_a_task_that_killed_its_worker_each_time_is_failed_after_its_last_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = recount.enqueue()
    left_by_a_killed_worker(result, runs=leases.MAX_RUNS)
    run_worker(monkeypatch)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED"
    assert row.exception_class_path == leases.STOPPED


@pytest.mark.usefixtures("database_queue")
def test_the_heartbeat_renews_the_lease_while_the_task_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = recount.enqueue()
    row = left_by_a_killed_worker(result)
    assert TaskLease.objects.get(pk=row.pk).expires_at < timezone.now()
    renewed = threading.Event()
    real = leases.renew

    def renew(task_id: Any, now: datetime.datetime | None = None) -> bool:
        done = real(task_id, now)
        renewed.set()
        return done

    monkeypatch.setattr(leases, "renew", renew)
    with leases.Heartbeat(row.pk, every=0.01):
        # Waits for the event, however long a slow machine takes; never a set time.
        assert renewed.wait(timeout=60)
    # Written from the heartbeat's own thread and connection, seen from this one.
    assert TaskLease.objects.get(pk=row.pk).expires_at > timezone.now()
    assert leases.sweep() == leases.Swept()


@pytest.mark.usefixtures("database_queue")
def test_a_task_run_by_the_worker_holds_a_lease_until_it_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bool] = []
    real = leases.Heartbeat.__enter__

    def entering(heartbeat: leases.Heartbeat) -> leases.Heartbeat:
        lease = TaskLease.objects.get(pk=heartbeat.task_id)
        seen.append(lease.expires_at > timezone.now())
        return real(heartbeat)

    monkeypatch.setattr(leases.Heartbeat, "__enter__", entering)
    result = recount.enqueue()
    run_worker(monkeypatch)
    assert seen == [True]
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert not TaskLease.objects.exists()


@pytest.mark.usefixtures("database_queue")
@pytest.mark.parametrize(
    "path", ["doorway.worker.tests.chores.gone", "doorway.worker.tests.chores.rerun_if_stopped"]
)
def test_a_task_whose_code_is_gone_or_not_a_task_is_failed_and_the_worker_goes_on(
    monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    result = recount.enqueue()
    row = left_by_a_killed_worker(result)
    DBTaskResult.objects.filter(pk=row.pk).update(task_path=path)
    after = recount.enqueue()
    run_worker(monkeypatch)
    assert DBTaskResult.objects.get(pk=result.id).exception_class_path == leases.STOPPED
    assert DBTaskResult.objects.get(pk=after.id).status == "SUCCESSFUL"

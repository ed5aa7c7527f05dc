"""Leases on running tasks, and the sweep that notices a task whose worker died.

django-tasks-db marks a task RUNNING when a worker claims it and FINISHED when the
worker records the outcome; a worker killed in between leaves the row RUNNING for ever
and no other worker ever takes it. Here, as with Celery's late acknowledgement and
visibility timeout or procrastinate's stalled jobs, the claim is a lease: the worker
writes one when it claims a task and renews it (`Heartbeat`) while the task runs. A
RUNNING task whose lease ran out (or that never got one, if its worker died between
the claim and the lease) was left behind, and `sweep` settles it:

- a task marked `@rerun_if_stopped` (safe to run again: it recomputes, or it is all or
  nothing in one transaction) is queued again, up to `MAX_RUNS` runs in all: a task
  that kills every worker that runs it is failed rather than passed round for ever;
- any other task is marked failed, with `WorkerStopped` as its error, which the pages
  that follow a task (an import) read to say what happened.

Every worker sweeps at its start and every `SWEEP_SECONDS`; the lease is long beside
the heartbeat, so a worker cut off from the database for a minute does not lose its
task to another.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from uuid import UUID

from django.db import DatabaseError, connections
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from doorway.worker.models import TaskLease

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=5)
HEARTBEAT_SECONDS = 30.0
SWEEP_SECONDS = 60.0
# Runs of one task (the first included) before a stop fails it instead.
MAX_RUNS = 3

RERUN_MARK = "doorway_rerun_if_stopped"


class WorkerStopped(Exception):
    """The worker running the task stopped before the task finished."""


STOPPED = f"{WorkerStopped.__module__}.{WorkerStopped.__qualname__}"


def rerun_if_stopped[F: Callable[..., Any]](func: F) -> F:
    """Mark a task's function (under `@task()`) as safe to run again after its worker
    died: running it twice must do no more than running it once."""
    setattr(func, RERUN_MARK, True)
    return func


def may_run_again(result: DBTaskResult[Any, Any]) -> bool:
    # The path as stored: a task renamed or removed since it was queued is not run again.
    try:
        task = import_string(result.task_path)
    except ImportError:
        return False
    func = getattr(task, "func", None)
    return bool(getattr(func, RERUN_MARK, False)) and len(result.worker_ids) < MAX_RUNS


def take(task_id: UUID, worker_id: str, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    TaskLease.objects.update_or_create(
        task_id=task_id,
        defaults={"worker_id": worker_id, "renewed_at": now, "expires_at": now + LEASE},
    )


def renew(task_id: UUID, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return bool(
        TaskLease.objects.filter(task_id=task_id).update(renewed_at=now, expires_at=now + LEASE)
    )


def release(task_id: UUID) -> None:
    TaskLease.objects.filter(task_id=task_id).delete()


def left_behind(now: datetime.datetime | None = None) -> Any:
    """RUNNING tasks nobody is running: their lease ran out, or they never had one and
    were claimed longer than a lease ago."""
    now = now or timezone.now()
    return DBTaskResult.objects.running().filter(
        Q(pk__in=TaskLease.objects.filter(expires_at__lt=now).values("task_id"))
        | (Q(started_at__lt=now - LEASE) & ~Q(pk__in=TaskLease.objects.values("task_id")))
    )


@dataclass(frozen=True)
class Swept:
    queued_again: int = 0
    failed: int = 0


def sweep(now: datetime.datetime | None = None) -> Swept:
    now = now or timezone.now()
    queued_again = failed = 0
    db = DBTaskResult.objects.db
    with exclusive_transaction(db):
        # Locked, and read again under the lock: two workers sweeping at once settle
        # each task once, and never one another worker has just claimed.
        for result in left_behind(now).select_for_update(skip_locked=True):
            if may_run_again(result):
                result.status = "READY"
                result.run_after = now
                result.save(update_fields=["status", "run_after"])
                queued_again += 1
                logger.warning(
                    "Task %s stopped with its worker; queued again (run %d of at most %d)",
                    result.pk,
                    len(result.worker_ids) + 1,
                    MAX_RUNS,
                )
            else:
                result.status = "FAILED"
                result.finished_at = now
                result.return_value = None
                result.exception_class_path = STOPPED
                result.traceback = (
                    "The worker running this task stopped before the task finished "
                    f"(run {len(result.worker_ids)}); its lease had run out by {now.isoformat()}."
                )
                result.save(
                    update_fields=[
                        "status",
                        "finished_at",
                        "return_value",
                        "exception_class_path",
                        "traceback",
                    ]
                )
                failed += 1
                logger.warning("Task %s stopped with its worker; marked failed", result.pk)
        # Leases of tasks that ended, whoever ended them.
        TaskLease.objects.exclude(task__status="RUNNING").delete()
    return Swept(queued_again=queued_again, failed=failed)


def still_running(task_id: UUID | str) -> bool:
    """Is the task waiting for a worker, or being run by a live one? False once it has
    ended (whatever the outcome), when its worker died, or if its row is gone."""
    task = DBTaskResult.objects.filter(pk=UUID(str(task_id)))
    return (
        task.filter(status="READY").exists()
        or task.running().exclude(pk__in=left_behind().values("pk")).exists()
    )


class Heartbeat:
    """Renews a task's lease every `every` seconds from a thread of its own (with its
    own database connection) while the task runs in the worker's main thread. A renewal
    that fails (the database is down, or SQLite is busy with the task's own writes) is
    logged and tried again at the next beat: the lease is several beats long."""

    def __init__(self, task_id: UUID, every: float = HEARTBEAT_SECONDS) -> None:
        self.task_id = task_id
        self.every = every
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.beat, name="lease-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stopping.set()
        self.thread.join()

    def beat(self) -> None:
        try:
            while not self.stopping.wait(self.every):
                try:
                    renew(self.task_id)
                except DatabaseError as error:
                    logger.warning(
                        "Could not renew the lease of task %s: %s",
                        self.task_id,
                        type(error).__name__,
                    )
        finally:
            # The thread's own connections, not the worker's.
            connections.close_all()

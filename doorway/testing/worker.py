"""Running `doorway db_worker` inside a test, against the database queue, and leaving a
task as a killed worker leaves it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from doorway.worker.leases import LEASE
from doorway.worker.models import TaskLease

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker(monkeypatch: pytest.MonkeyPatch, *options: str) -> list[float]:
    """Run the worker until the queue is empty (or `--max-tasks`); the pauses it took,
    without waiting them out."""
    pauses: list[float] = []
    monkeypatch.setattr("time.sleep", pauses.append)
    call_command(
        "db_worker",
        "--no-startup-delay",
        "--interval=0",
        "--no-reload",
        *(options or ("--batch",)),
        verbosity=0,
    )
    return pauses


def left_by_a_killed_worker(
    result: Any, *, runs: int = 1, lease: bool = True, ago: datetime.timedelta = 2 * LEASE
) -> DBTaskResult:
    """The row as a worker killed mid-task leaves it: RUNNING, claimed `ago`, its lease
    (if it got one) never renewed since."""
    row = DBTaskResult.objects.get(pk=result.id)
    claimed = timezone.now() - ago
    row.status = "RUNNING"
    row.started_at = claimed
    row.worker_ids = [f"killed-{n}" for n in range(runs)]
    row.save(update_fields=["status", "started_at", "worker_ids"])
    if lease:
        TaskLease.objects.create(
            task=row, worker_id=row.worker_ids[-1], renewed_at=claimed, expires_at=claimed + LEASE
        )
    return row

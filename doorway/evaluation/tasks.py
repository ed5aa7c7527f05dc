"""The evaluation's background work, run by `doorway db_worker`.

- `refresh_reports()`: counts every kept report snapshot again (`snapshots`), every
  `DOORWAY_REPORT_REFRESH_SECONDS`. Like the audit checkpoint, it queues its own next
  run before doing its work (a run that fails does not end the chain), and only when no
  run is already waiting. The first page that keeps a snapshot starts the chain, and a
  page that finds one three periods old starts it again.
- `refresh_report(snapshot_id)`: one snapshot now, when someone asks for it on the page.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.tasks import default_task_backend, task
from django.utils import timezone

from doorway.evaluation import snapshots
from doorway.evaluation.models import ReportSnapshot
from doorway.worker.leases import rerun_if_stopped


@task()
@rerun_if_stopped  # it only counts again what is kept: safe to run twice
def refresh_reports() -> int:
    schedule_next()
    return snapshots.refresh_all()


@task()
@rerun_if_stopped
def refresh_report(snapshot_id: int) -> bool:
    found = ReportSnapshot.objects.select_related("program").defer("report", "details")
    snapshot = found.filter(pk=snapshot_id).first()
    return snapshot is not None and snapshots.refresh(snapshot)


def waiting() -> bool:
    """Is a run already queued and not yet started (whenever it is due)?"""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=refresh_reports.module_path, status="READY"
    ).exists()


def report_queued(snapshot_id: int) -> bool:
    """Is a count of this snapshot queued or under way (on the database queue)?"""
    if not default_task_backend.supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=refresh_report.module_path,
        status__in=["READY", "RUNNING"],
        args_kwargs__args=[snapshot_id],
    ).exists()


def schedule_next(now: datetime.datetime | None = None) -> Any | None:
    """Queue the next run unless one is waiting. Only a backend that can defer a task
    (the database queue) keeps the chain going; the tests' immediate backend cannot."""
    if not default_task_backend.supports_defer or waiting():
        return None
    run_after = (now or timezone.now()) + snapshots.refresh_period()
    return refresh_reports.using(run_after=run_after).enqueue()

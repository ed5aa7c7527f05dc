"""The background tasks that keep due dates current, run by `doorway db_worker`.

- `refresh_due(ids)`: enqueued when a change commits (see `due.refresh_after_commit`),
  for the enrolments the change touched.
- `refresh_all_due()`: the daily pass over every watched enrolment. It queues its own
  next run for tomorrow's early morning *before* doing its work, so a pass that fails
  or is killed does not end the chain; and only when no run is waiting, so the chain
  never piles up. A killed pass is run again by the next worker (its lease runs out,
  see `doorway.worker.leases`); and every `refresh_due` queues the daily pass if none
  is waiting, so any day's work restarts a chain that stopped some other way (a
  database outage at 03:00). `doorway refresh-due --daily` (which `make demo` runs)
  starts it too.
- `notify_likely_duplicate(worker, matches, registered)`: enqueued when a worker's
  duplicate check matched records she cannot open (see `duplicates`), to put a notice on
  the "Possible duplicates" page of the program managers who reach both. Not run
  again after a worker dies: a second run would count the lookup twice.

Both refreshes recompute from the records and replace what they find, so running one
twice does no more than running it once.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.tasks import default_task_backend, task
from django.utils import timezone

from doorway.caseload import refresh
from doorway.caseload.models import DuePass
from doorway.worker.leases import rerun_if_stopped

logger = logging.getLogger(__name__)

# The daily pass runs at this local hour, before anyone opens her caseload.
DAILY_HOUR = 3


@task()
@rerun_if_stopped
def refresh_due(enrolment_ids: list[str]) -> int:
    schedule_next_daily()
    return refresh.refresh(enrolment_ids)


@task()
def notify_likely_duplicate(
    worker_id: str, match_ids: list[str], registered_id: str | None = None
) -> int:
    """Ids only in and out: the task queue's table holds no name."""
    from doorway.caseload.duplicates import record_notices
    from doorway.people.models import Participant, User

    worker = User.objects.filter(pk=worker_id).first()
    if worker is None:
        return 0
    matches = list(Participant.objects.filter(pk__in=match_ids))
    registered = Participant.objects.filter(pk=registered_id).first() if registered_id else None
    return len(record_notices(worker, matches, registered))


@task()
@rerun_if_stopped
def refresh_all_due() -> int:
    # First: whatever happens to this pass, tomorrow's is already queued.
    schedule_next_daily()
    written = refresh_everyone()
    # Counts only: no ids, no names.
    logger.info("Daily due-date refresh wrote %d items", written)
    return written


# Passes older than this are forgotten: the page needs only the last.
KEEP_PASSES = datetime.timedelta(days=90)


def refresh_everyone() -> int:
    """Recompute every watched enrolment and note when (`DuePass`)."""
    written = refresh.refresh_everyone()
    finished = DuePass.objects.create(items=written)
    DuePass.objects.filter(finished_at__lt=finished.finished_at - KEEP_PASSES).delete()
    return written


def next_daily_run(now: datetime.datetime | None = None) -> datetime.datetime:
    """Tomorrow at DAILY_HOUR, local time."""
    now = timezone.localtime(now)
    tomorrow = now.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(DAILY_HOUR)))


def daily_waiting() -> bool:
    """Is a daily pass already queued (and not yet started)?"""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=refresh_all_due.module_path, status="READY", run_after__gt=timezone.now()
    ).exists()


def schedule_next_daily() -> Any | None:
    """Queue tomorrow's pass unless one is waiting. Only a backend that can defer a
    task (the database queue) chains days; the tests' immediate backend cannot."""
    if not default_task_backend.supports_defer:
        return None
    if daily_waiting():
        return None
    return refresh_all_due.using(run_after=next_daily_run()).enqueue()

"""The audit log's background work, run by `doorway db_worker`.

- `checkpoint_now()`: seals the entries written since the last run onto the chain and
  writes a signed checkpoint outside the database, every `DOORWAY_AUDIT_CHECKPOINT_SECONDS`.
  It queues its own next run *before* doing its work, so a run that fails (a full disk,
  a missing key, a database hiccup) does not end the chain; and only when no run is
  already waiting, so the chain never piles up. `doorway audit checkpoint --schedule`
  (which `make demo` runs) starts it, and every check of the log restarts it if it has
  stopped.
- `verify_log(run_id)`: the whole check, for the audit page, with its progress on a
  `VerifyRun` row.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.tasks import default_task_backend, task
from django.utils import timezone

from doorway.audit import log
from doorway.audit.checkpoints import NoCheckpointKey
from doorway.audit.models import VerifyRun
from doorway.worker.leases import rerun_if_stopped

logger = logging.getLogger(__name__)

# While nothing is written, one checkpoint an hour still says "the log was this long
# then", without a file a minute.
QUIET_CHECKPOINT = datetime.timedelta(hours=1)


@task()
def checkpoint_now() -> int:
    schedule_next()
    waiting, _oldest = log.overdue()
    if waiting:
        # The worker was stopped: until now those entries could have been removed unseen.
        logger.error(
            "%d audit entries waited more than %s to be sealed; sealing them now",
            waiting,
            log.seal_alarm_after(),
        )
    try:
        written = log.checkpoint(unless_unchanged_for=QUIET_CHECKPOINT)
    except NoCheckpointKey:
        # Sealing still happens; the deploy check says the key is missing.
        sealed = log.seal()
        logger.warning("Audit entries sealed (%d) but no checkpoint: no checkpoint key", sealed)
        return sealed
    except log.CheckpointRefused as refused:
        logger.error("Audit checkpoint refused: %s", refused)
        raise
    return written.entries


def waiting() -> bool:
    """Is a run already queued and not yet started (whenever it is due)?"""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=checkpoint_now.module_path, status="READY"
    ).exists()


def schedule_next(now: datetime.datetime | None = None) -> Any | None:
    """Queue the next run unless one is waiting. Only a backend that can defer a task
    (the database queue) keeps the chain going; the tests' immediate backend cannot."""
    if not default_task_backend.supports_defer:
        return None
    if waiting():
        return None
    run_after = (now or timezone.now()) + datetime.timedelta(
        seconds=settings.AUDIT_CHECKPOINT_SECONDS
    )
    return checkpoint_now.using(run_after=run_after).enqueue()


@task()
@rerun_if_stopped  # it only reads: a check killed with its worker is started again
def verify_log(run_id: str) -> str:
    run = VerifyRun.objects.get(pk=run_id)
    VerifyRun.objects.filter(pk=run.pk).update(status=VerifyRun.Status.RUNNING)
    schedule_next()

    def progress(done: int, total: int) -> None:
        VerifyRun.objects.filter(pk=run.pk).update(processed=done, total=total)

    try:
        report = log.check_log(progress=progress)
    except Exception:
        VerifyRun.objects.filter(pk=run.pk).update(
            status=VerifyRun.Status.FAILED, finished_at=timezone.now()
        )
        raise
    status = VerifyRun.Status.INTACT if report.ok else VerifyRun.Status.BROKEN
    VerifyRun.objects.filter(pk=run.pk).update(
        status=status,
        finished_at=timezone.now(),
        processed=report.entries + report.unsealed,
        total=report.entries + report.unsealed,
        findings="\n".join(report.lines()),
        notes="\n".join(report.notes),
    )
    return str(status)

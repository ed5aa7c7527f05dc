"""The daily retention pass for the worker (`doorway db_worker`): records past their
programs' retention period become suggestions on the erasure page. Each pass queues
the next before its work, as the caseload's daily pass does; `doorway erase suggest
--daily` starts the chain (a pass already waiting is never doubled)."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.tasks import default_task_backend, task
from django.utils import timezone

from doorway.erasure import actions
from doorway.worker.leases import rerun_if_stopped

logger = logging.getLogger(__name__)

# After the caseload's pass (03:00), before anyone is at work.
DAILY_HOUR = 4


@task()
@rerun_if_stopped
def suggest_erasures() -> int:
    schedule_next_daily()
    made = actions.suggest_past_retention()
    # A count only: no code, no id.
    logger.info("Retention pass suggested %d erasures", made)
    return made


def next_daily_run(now: datetime.datetime | None = None) -> datetime.datetime:
    now = timezone.localtime(now)
    tomorrow = now.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(DAILY_HOUR)))


def daily_waiting() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=suggest_erasures.module_path, status="READY", run_after__gt=timezone.now()
    ).exists()


def schedule_next_daily() -> Any | None:
    """Queue tomorrow's pass unless one is waiting (only a backend that can defer)."""
    if not default_task_backend.supports_defer:
        return None
    if daily_waiting():
        return None
    return suggest_erasures.using(run_after=next_daily_run()).enqueue()

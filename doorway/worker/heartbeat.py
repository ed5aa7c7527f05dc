"""Is a worker alive? Each worker writes when it last looked for work (`seen`), and the
lease of a task it runs is renewed while the task runs; `last_seen` is the newer of the
two, so a worker busy with a long import still counts as alive.

Read by the readiness check (/health/ready): without it an empty queue and a dead
worker look the same until the next daily pass never comes.
"""

from __future__ import annotations

import datetime

from django.db.models import Max
from django.utils import timezone

from doorway.worker.models import TaskLease, WorkerHeartbeat

# A worker silent this long is gone; its row is dropped at the next heartbeat of any.
FORGET_AFTER = datetime.timedelta(days=1)


def seen(worker_id: str, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": now})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def last_seen() -> datetime.datetime | None:
    """When a worker was last seen alive, by its heartbeat or a lease it renewed."""
    times = [
        WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"],
        TaskLease.objects.aggregate(last=Max("renewed_at"))["last"],
    ]
    known = [t for t in times if t is not None]
    return max(known) if known else None

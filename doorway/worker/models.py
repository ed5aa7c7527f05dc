"""A running task's lease: the worker running it renews it while the task runs, so a
task whose lease has run out was left behind by a worker that died (killed, out of
memory, its machine gone) and is picked up by the sweep in `leases`.

A side table keyed by the task's row rather than a column on django-tasks-db's own
table: the library's table stays as it ships, and a lease goes with its task when old
task results are pruned.
"""

from __future__ import annotations

from django.db import models
from django_tasks_db.models import DBTaskResult


class TaskLease(models.Model):
    task = models.OneToOneField(
        DBTaskResult, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # Which worker holds it (the worker's random id; no name, no host).
    worker_id = models.CharField(max_length=64)
    renewed_at = models.DateTimeField()
    # Past this, nobody is running the task any more.
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"lease of task {self.task_id}"


class WorkerHeartbeat(models.Model):
    """When each worker was last seen looking for work, written every
    `leases.HEARTBEAT_SECONDS` whether or not it has a task: the readiness check
    (/health/ready) reads the newest, so a worker that stopped, or never started, is
    seen even when the queue is empty."""

    # The worker's random id; no name, no host.
    worker_id = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"heartbeat of worker {self.worker_id}"

"""An import whose worker died: how its page knows, and the retry.

A check or an import run by the background worker is a task with a lease (see
`doorway.worker.leases`). A worker killed halfway (a deploy, the machine's memory, a
restart) leaves the job saying "checking" or "importing" while nobody works on it; the
next worker marks the task failed. The job page reads that (`stopped`) and says so, and
offers the person who uploaded the file a retry, which queues the same step again with
the rows still kept on the job.

Imports are not run again by themselves: one that killed its worker (a file too big for
its memory) would kill the next one, and whoever uploaded it is at the page to decide.
A retry is safe: the import is one transaction (a stopped one saved nothing), and rows
imported before are found by their external ids and left alone (`saved_anything` is
true only when the worker died after the transaction committed).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.tasks import task_backends
from django.utils import timezone

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.exchange.imports import tasks
from doorway.exchange.models import ExternalId, ImportJob, JobStatus
from doorway.people.models import User
from doorway.worker import leases

# A check or import within a request that has not ended by then never will: the web
# server ends a request long before.
WITHIN_A_REQUEST = datetime.timedelta(minutes=10)


def follow(job: ImportJob, queued: Any) -> None:
    """Note the task now working on the job, when the queue keeps its tasks (an
    immediate backend, the tests', has run it already: nothing to follow)."""
    if task_backends[queued.backend].supports_get_result:
        ImportJob.objects.filter(pk=job.pk, task_id=None).update(task_id=queued.id)


def stopped(job: ImportJob, now: datetime.datetime | None = None) -> bool:
    """It says it is running, and nothing is running it."""
    if not job.is_running:
        return False
    if job.task_id is None:
        since = job.running_since or job.created_at
        return (now or timezone.now()) - since > WITHIN_A_REQUEST
    return not leases.still_running(job.task_id)


def saved_anything(job: ImportJob) -> bool:
    return ExternalId.objects.filter(job=job).exists()


def retry(job: ImportJob, *, by: User) -> bool:
    """Queue the stopped step again; False (and nothing changed) if the job is not
    stopped any more or its rows are gone."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().defer("rows").filter(pk=job.pk).first()
        if locked is None or not stopped(locked):
            return False
        if not ImportJob.objects.filter(pk=job.pk).exclude(rows="").exists():
            return False
        ImportJob.objects.filter(pk=job.pk).update(
            task_id=None, running_since=timezone.now(), rows_checked=0, rows_saved=0, saving=False
        )
        record(
            Action.CHANGE,
            actor=by,
            subject=locked,
            detail={"import": locked.kind, "retried": locked.status},
        )
    # Queued once the job is free again (the import locks it to write its progress).
    step = tasks.run_import if locked.status == JobStatus.IMPORTING else tasks.check_import
    follow(job, step.enqueue(str(job.pk)))
    return True

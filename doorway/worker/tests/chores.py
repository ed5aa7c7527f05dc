"""Two tasks for the worker's tests: one safe to run again, one not."""

from __future__ import annotations

from django.tasks import task

from doorway.worker.leases import rerun_if_stopped


@task()
@rerun_if_stopped
def recount() -> int:
    """Recomputes from scratch: a second run does no more than the first."""
    return 0


@task()
def send_once() -> int:
    """Would do its work twice if run twice."""
    return 1

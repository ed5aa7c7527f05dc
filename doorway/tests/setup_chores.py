"""Two tasks for the production-setup test (test_production_setup.py), queued by it
into the running setup's database and run by its worker. Each says what it did by
writing a file into the test's own folder, never into the database it is checking."""

from __future__ import annotations

import time
from pathlib import Path

from django.tasks import task

from doorway.worker.leases import rerun_if_stopped


@task()
def note_done(folder: str) -> None:
    (Path(folder) / "done").write_text("done")


@task()
@rerun_if_stopped
def finish_on_the_second_run(folder: str) -> None:
    """The first run says it started and waits to be killed; a run after it finishes,
    as a task that resumes from what it saved would."""
    started = Path(folder) / "started"
    if started.exists():
        (Path(folder) / "finished").write_text("finished")
        return
    started.write_text("started")
    time.sleep(600)

"""`doorway db_worker`: django-tasks-db's worker, made to outlive the database and its
own death.

- A database error outside a task (connection refused at start, an outage, a
  terminated connection, tables not yet migrated) never ends the worker: it closes its
  connections, waits (1 s, 2 s, 4 s, … up to `MAX_PAUSE`, with a little jitter so that
  several workers do not knock all at once) and tries again. The log names the error's
  type only.
- Each task it claims gets a lease in the same transaction as the claim, renewed while
  the task runs; at its start and every `leases.SWEEP_SECONDS` it sweeps up the tasks
  whose worker died (`doorway.worker.leases`).

Same name and options as the library's command, which it replaces (this app comes
before django_tasks_db in INSTALLED_APPS).
"""

from __future__ import annotations

import logging
import os
import random
import time
from typing import Any

from django.core.management.base import CommandError
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
)
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from doorway.worker import heartbeat, leases

logger = logging.getLogger("doorway.worker")

FIRST_PAUSE = 1.0
MAX_PAUSE = 30.0


def pause_after(failures: int) -> float:
    """Seconds to wait after this many database failures in a row."""
    # The exponent is capped: 2.0 ** 1024 overflows (about 8.5 hours of failures).
    pause = min(MAX_PAUSE, FIRST_PAUSE * 2.0 ** min(failures - 1, 16))
    # Up to a quarter more: spreads the workers out, and keeps each pause below the next.
    return pause * (1 + random.random() / 4)  # noqa: S311


class Worker(db_worker.Worker):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.last_sweep = float("-inf")
        self.last_beat = float("-inf")

    def run(self) -> None:
        logger.info("Starting worker %s", self.worker_id)
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311
        failures = 0
        while self.running:
            try:
                went_on = self.once()
            except (DatabaseError, InterfaceError) as error:
                # Not only a refused or dropped connection: a database up before its
                # migrations (a deploy starting the worker first) answers "no such
                # table", which heals the same way.
                failures += 1
                pause = pause_after(failures)
                logger.warning(
                    "Database unavailable or not ready (%s, %d in a row); trying again in %.1f s",
                    type(error).__name__,
                    failures,
                    pause,
                )
                self.forget_connections()
                time.sleep(pause)
                continue
            if failures:
                logger.info("Database back after %d failures", failures)
                failures = 0
            if not went_on:
                return

    def once(self) -> bool:
        """One look for work (and the sweep when due); False when the worker is done."""
        close_old_connections()
        if time.monotonic() - self.last_beat >= leases.HEARTBEAT_SECONDS:
            heartbeat.seen(self.worker_id)
            self.last_beat = time.monotonic()
        if time.monotonic() - self.last_sweep >= leases.SWEEP_SECONDS:
            swept = leases.sweep()
            self.last_sweep = time.monotonic()
            if swept.queued_again or swept.failed:
                logger.warning(
                    "Tasks left by a stopped worker: %d queued again, %d failed",
                    swept.queued_again,
                    swept.failed,
                )
        task_result, looked = self.claim_next()
        if task_result is not None:
            self.run_task(task_result)
        if self.batch and looked and task_result is None:
            logger.info("No more tasks to run for worker %s", self.worker_id)
            return False
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            logger.info("Ran %d tasks; worker %s stopping", self._run_tasks, self.worker_id)
            return False
        close_old_connections()
        if self.running and task_result is None:
            time.sleep(self.interval)
        return True

    def claim_next(self) -> tuple[DBTaskResult[Any, Any] | None, bool]:
        """The next ready task, claimed and leased in one transaction; and whether the
        queue could be read at all (SQLite may be busy)."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
                    leases.take(task_result.pk, self.worker_id)
        except OperationalError as error:
            if is_locked_database_exception(error):
                return None, False
            raise
        return task_result, True

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        with leases.Heartbeat(db_task_result.pk):
            super().run_task(db_task_result)
        leases.release(db_task_result.pk)

    @staticmethod
    def forget_connections() -> None:
        """Drop every connection, broken or not: the next query opens a fresh one."""
        for connection in connections.all(initialized_only=True):
            try:
                connection.close()
            except DatabaseError:
                # Closing a connection the server already dropped can fail too.
                connection.connection = None


HELP = gettext_noop(
    "Run the background worker. It never exits on a database error (it waits and "
    "reconnects), leases each task it runs, and re-queues or fails the tasks of a "
    "worker that died. Run it under a supervisor (systemd) so it restarts if killed."
)


class Command(db_worker.Command):
    help = HELP

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        # Translated when asked for, in the language of whoever runs the command.
        self.help = _(HELP)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        logging.getLogger("doorway.worker").setLevel(logging.getLogger("django_tasks_db").level)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError(_("--exclude-queues can only be used with --queue-name=*"))
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()

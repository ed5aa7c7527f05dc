"""The worker outlives the database: refused at its start or cut off while it waits,
it tries again with a growing pause and then runs what was queued."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.db.utils import OperationalError, ProgrammingError
from django.test import override_settings
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from doorway.testing import worker
from doorway.testing.worker import DATABASE_QUEUE
from doorway.worker import leases
from doorway.worker.tests.chores import recount

pytestmark = pytest.mark.django_db(transaction=True)


def refusing(times: int, after: int = 0) -> tuple[Callable[[], None], list[int]]:
    """A connection that answers `after` times, then is refused `times` times (the
    database is down), then answers again."""
    real = connection.ensure_connection
    calls = [0]

    def ensure_connection() -> None:
        calls[0] += 1
        if after < calls[0] <= after + times:
            raise OperationalError("connection refused")
        real()

    return ensure_connection, calls


def run_worker(monkeypatch: pytest.MonkeyPatch, ensure: Callable[[], None]) -> list[float]:
    monkeypatch.setattr(connection, "ensure_connection", ensure)
    return worker.run_worker(monkeypatch, "--max-tasks=1")


def queued() -> Any:
    with override_settings(TASKS=DATABASE_QUEUE):
        return recount.enqueue()


def test_a_worker_started_before_its_database_waits_for_it_then_runs_the_queued_task(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = queued()
    ensure, _ = refusing(times=5)
    with override_settings(TASKS=DATABASE_QUEUE):
        pauses = run_worker(monkeypatch, ensure)
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    # One pause a refusal, each longer than the one before, up to the cap.
    waits = [p for p in pauses if p > 0]
    assert len(waits) == 5
    assert waits == sorted(waits)


def test_a_worker_cut_off_from_its_database_while_waiting_keeps_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The worker looks for work a few times, then the database goes away for a while.
    ensure, calls = refusing(times=8, after=3)
    result = None

    def arrives_late() -> None:
        nonlocal result
        ensure()
        if calls[0] == 20 and result is None:
            result = queued()

    with override_settings(TASKS=DATABASE_QUEUE):
        pauses = run_worker(monkeypatch, arrives_late)
    assert len([p for p in pauses if p > 0]) == 8
    assert result is not None
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a PostgreSQL backend")
def test_a_worker_whose_postgresql_connection_is_terminated_reconnects_and_runs_the_task(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = queued()
    killer = connections.create_connection("default")

    def terminate_the_workers_connection() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    real_get_locked = DBTaskResultQuerySet.get_locked
    terminated: list[bool] = []

    def get_locked(tasks: DBTaskResultQuerySet) -> Any:
        # Past the health check the worker makes each round: the next query fails.
        if not terminated:
            terminate_the_workers_connection()
            terminated.append(True)
        return real_get_locked(tasks)

    monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", get_locked)
    try:
        with override_settings(TASKS=DATABASE_QUEUE):
            pauses = worker.run_worker(monkeypatch, "--max-tasks=1")
    finally:
        killer.close()
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert [p for p in pauses if p > 0]


def test_a_worker_started_before_the_migrations_waits_for_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = queued()
    real_sweep = leases.sweep
    missing = [3]

    def sweep() -> leases.Swept:
        # PostgreSQL's answer while the lease table is not there yet.
        if missing[0]:
            missing[0] -= 1
            raise ProgrammingError('relation "worker_tasklease" does not exist')
        return real_sweep()

    monkeypatch.setattr(leases, "sweep", sweep)
    with override_settings(TASKS=DATABASE_QUEUE):
        pauses = worker.run_worker(monkeypatch, "--max-tasks=1")
    assert len([p for p in pauses if p > 0]) == 3
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"

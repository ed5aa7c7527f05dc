"""The daily pass cannot end its own chain: a pass that fails, or whose worker is
killed, is followed by the next day's pass all the same."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from doorway.caseload import refresh, tasks
from doorway.caseload.models import DuePass
from doorway.conftest import World
from doorway.testing.worker import DATABASE_QUEUE, left_by_a_killed_worker, run_worker
from doorway.worker.leases import LEASE

from .helpers import D0, TORONTO

DAY = datetime.timedelta(days=1)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TORONTO)


def daily(status: str) -> list[datetime.datetime]:
    """When the daily passes in this state are (or were) due, local time."""
    return [
        row.run_after.astimezone(TORONTO)
        for row in DBTaskResult.objects.filter(
            task_path=tasks.refresh_all_due.module_path, status=status
        ).order_by("run_after")
    ]


class Killed(BaseException):
    """The worker's process dies here (SIGKILL, out of memory): nothing after runs."""


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_a_failed_daily_pass_is_followed_by_the_next_days_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    everyone = refresh.refresh_everyone

    def broken() -> int:
        raise RuntimeError("the disk is full")

    with time_machine.travel(at(D0, 3), tick=False):
        tasks.refresh_all_due.enqueue()
        monkeypatch.setattr(refresh, "refresh_everyone", broken)
        run_worker(monkeypatch)
    assert len(daily("FAILED")) == 1
    assert daily("READY") == [at(D0 + DAY, 3)]

    monkeypatch.setattr(refresh, "refresh_everyone", everyone)
    with time_machine.travel(at(D0 + DAY, 3, 1), tick=False):
        run_worker(monkeypatch)
    assert daily("SUCCESSFUL") == [at(D0 + DAY, 3)]
    assert daily("READY") == [at(D0 + 2 * DAY, 3)]
    assert DuePass.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_a_killed_daily_pass_is_run_again_and_followed_by_the_next_days_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    everyone = refresh.refresh_everyone

    def killed() -> int:
        raise Killed

    with time_machine.travel(at(D0, 3), tick=False):
        first = tasks.refresh_all_due.enqueue()
        # A worker claims the pass and is killed half-way through it.
        left_by_a_killed_worker(first, ago=datetime.timedelta(0))
        monkeypatch.setattr(refresh, "refresh_everyone", killed)
        with pytest.raises(Killed):
            tasks.refresh_all_due.call()
    assert len(daily("RUNNING")) == 1

    monkeypatch.setattr(refresh, "refresh_everyone", everyone)
    # A worker (re)started after the lease ran out runs the killed pass again.
    with time_machine.travel(at(D0, 3) + LEASE + datetime.timedelta(minutes=1), tick=False):
        run_worker(monkeypatch)
    row = DBTaskResult.objects.get(pk=first.id)
    assert row.status == "SUCCESSFUL"
    assert daily("READY") == [at(D0 + DAY, 3)]

    with time_machine.travel(at(D0 + DAY, 3, 1), tick=False):
        run_worker(monkeypatch)
    assert len(daily("SUCCESSFUL")) == 2
    assert daily("READY") == [at(D0 + 2 * DAY, 3)]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_a_days_work_restarts_a_daily_chain_that_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    with time_machine.travel(at(D0, 10), tick=False):
        assert daily("READY") == []
        # A contact recorded: its own refresh, which finds no daily pass waiting.
        tasks.refresh_due.enqueue([])
        run_worker(monkeypatch)
    assert daily("READY") == [at(D0 + DAY, 3)]


@pytest.mark.django_db
def test_the_days_passes_are_counted_not_named(world: World) -> None:
    with time_machine.travel(at(D0, 3), tick=False):
        written = tasks.refresh_everyone()
    (done,) = DuePass.objects.all()
    assert done.items == written
    assert done.finished_at == at(D0, 3)

"""The worker's periodic checkpoint: seals and signs, queues its next run first so a
failing run does not end the chain, and never piles up."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from doorway.audit import log, tasks
from doorway.audit.models import Action, AuditEntry

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def waiting_runs() -> int:
    return DBTaskResult.objects.filter(
        task_path=tasks.checkpoint_now.module_path, status="READY"
    ).count()


def test_a_run_seals_the_new_entries_and_writes_a_checkpoint(checkpoint_directory: Path) -> None:
    for n in range(3):
        log.record(Action.VIEW, detail={"n": n})
    assert tasks.checkpoint_now.call() == 3
    assert AuditEntry.objects.filter(seq__isnull=True).count() == 0
    assert len(list(checkpoint_directory.glob("*.json"))) == 1


def test_a_failing_run_still_leaves_the_next_one_queued(monkeypatch) -> None:
    def disk_full(**kwargs: object) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(log, "checkpoint", disk_full)
    with override_settings(TASKS=DATABASE_QUEUE):
        with pytest.raises(OSError, match="No space"):
            tasks.checkpoint_now.call()
        assert waiting_runs() == 1


def test_the_chain_never_piles_up() -> None:
    with override_settings(TASKS=DATABASE_QUEUE):
        tasks.schedule_next()
        tasks.schedule_next()
        tasks.checkpoint_now.call()
        assert waiting_runs() == 1


def test_without_a_key_a_run_still_seals(settings, checkpoint_directory: Path) -> None:
    settings.AUDIT_CHECKPOINT_KEY = ""
    log.record(Action.VIEW)
    assert tasks.checkpoint_now.call() == 1
    assert AuditEntry.objects.get().seq == 1
    assert not checkpoint_directory.exists()


def test_a_quiet_log_gets_no_new_file_a_minute(checkpoint_directory: Path) -> None:
    log.record(Action.VIEW)
    tasks.checkpoint_now.call()
    tasks.checkpoint_now.call()
    assert len(list(checkpoint_directory.glob("*.json"))) == 1
    log.record(Action.VIEW)
    tasks.checkpoint_now.call()
    assert len(list(checkpoint_directory.glob("*.json"))) == 2


def test_a_quiet_log_still_gets_one_checkpoint_an_hour(checkpoint_directory: Path) -> None:
    import datetime

    import time_machine

    log.record(Action.VIEW)
    tasks.checkpoint_now.call()
    with time_machine.travel(datetime.timedelta(hours=1, minutes=1)):
        tasks.checkpoint_now.call()
    assert len(list(checkpoint_directory.glob("*.json"))) == 2

"""A check of the whole log whose worker was killed is started again by the next
worker, so the administrator's page does not say "checking" for ever."""

from __future__ import annotations

import pytest
from django.test import override_settings

from doorway.audit.log import record
from doorway.audit.models import Action, VerifyRun
from doorway.audit.tasks import verify_log
from doorway.conftest import World
from doorway.testing.worker import DATABASE_QUEUE, left_by_a_killed_worker, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_check_killed_with_its_worker_is_run_again_and_finishes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(Action.VIEW, actor=world.alice)
    run = VerifyRun.objects.create(started_by=world.ada, status=VerifyRun.Status.RUNNING)
    with override_settings(TASKS=DATABASE_QUEUE):
        left_by_a_killed_worker(verify_log.enqueue(str(run.pk)))
        run_worker(monkeypatch)
    run.refresh_from_db()
    assert run.status == VerifyRun.Status.INTACT

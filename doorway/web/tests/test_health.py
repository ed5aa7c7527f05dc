"""The health probes: /health/live answers without the database; /health/ready is 200
only when the database answers, every migration is applied, the keys read the data, a
worker was seen lately and no task waits too long, and 503 naming the failing check
otherwise. Neither needs a sign-in, writes an audit entry, or says anything of anyone."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from doorway.audit.models import AuditEntry
from doorway.testing.factories import ParticipantFactory
from doorway.testing.worker import DATABASE_QUEUE, left_by_a_killed_worker, run_worker
from doorway.web import health
from doorway.worker.heartbeat import seen
from doorway.worker.models import WorkerHeartbeat
from doorway.worker.tests.chores import recount

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_key_check() -> None:
    cache.delete(health.KEY_CHECK_CACHE)


@pytest.fixture
def worker_alive() -> None:
    seen("worker-a")


def ready(client: Client) -> tuple[int, dict[str, Any]]:
    response = client.get("/health/ready")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def failing(body: dict[str, Any]) -> set[str]:
    return {name for name, check in body["checks"].items() if not check["ok"]}


def test_live_answers_without_a_sign_in_or_the_database(
    client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "live"}


def test_ready_with_a_worker_alive_is_200_and_says_each_check(
    client: Client, worker_alive: None
) -> None:
    status, body = ready(client)
    assert status == 200, body
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "keys", "worker", "queue"}
    assert body["checks"]["migrations"]["unapplied"] == 0
    assert body["checks"]["keys"]["problems"] == 0
    assert body["checks"]["worker"]["last_seen_seconds"] <= 1


def test_ready_is_neither_audited_nor_signed_in_nor_cached(
    client: Client, worker_alive: None
) -> None:
    ParticipantFactory(legal_name="Zelda Quartermain")
    before = AuditEntry.objects.count()
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert AuditEntry.objects.count() == before
    assert "Zelda" not in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_a_worker_never_seen_is_not_ready(client: Client) -> None:
    status, body = ready(client)
    assert status == 503
    assert failing(body) == {"worker"}
    assert body["checks"]["worker"]["last_seen_seconds"] is None


def test_a_worker_silent_for_three_minutes_is_not_ready(client: Client) -> None:
    seen("worker-a", now=timezone.now() - datetime.timedelta(minutes=3))
    status, body = ready(client)
    assert status == 503
    assert failing(body) == {"worker"}
    assert body["checks"]["worker"]["last_seen_seconds"] >= 180


def test_a_worker_busy_with_a_long_task_renewing_its_lease_is_alive(
    client: Client, settings: Any
) -> None:
    settings.TASKS = DATABASE_QUEUE
    seen("worker-a", now=timezone.now() - datetime.timedelta(minutes=20))
    row = left_by_a_killed_worker(recount.enqueue(), ago=datetime.timedelta(seconds=5))
    assert row.status == "RUNNING"
    status, body = ready(client)
    assert status == 200, body


def test_a_task_waiting_a_quarter_of_an_hour_is_not_ready(
    client: Client, settings: Any, worker_alive: None
) -> None:
    settings.TASKS = DATABASE_QUEUE
    recount.enqueue()
    status, body = ready(client)
    assert status == 200, body
    assert body["checks"]["queue"] == {"ok": True, "ready": 1, "waiting_too_long": 0}

    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(minutes=16))
    status, body = ready(client)
    assert status == 503
    assert failing(body) == {"queue"}
    assert body["checks"]["queue"]["waiting_too_long"] == 1


def test_a_task_queued_for_tomorrow_is_not_waiting(
    client: Client, settings: Any, worker_alive: None
) -> None:
    settings.TASKS = DATABASE_QUEUE
    recount.using(run_after=timezone.now() + datetime.timedelta(days=1)).enqueue()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(hours=2))
    status, body = ready(client)
    assert status == 200, body


def test_a_migration_not_applied_is_not_ready(client: Client, worker_alive: None) -> None:
    MigrationRecorder(connection).migration_qs.filter(app="worker", name="0002_heartbeat").delete()
    status, body = ready(client)
    assert status == 503
    assert failing(body) == {"migrations"}
    assert body["checks"]["migrations"]["unapplied"] == 1


def test_a_wrong_field_key_is_not_ready_and_names_nothing(
    client: Client, settings: Any, worker_alive: None
) -> None:
    ParticipantFactory(legal_name="Zelda Quartermain")
    wrong = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [wrong]
    status, body = ready(client)
    assert status == 503
    assert failing(body) == {"keys"}
    assert body["checks"]["keys"]["problems"] >= 1
    text = str(body)
    assert "Zelda" not in text
    assert wrong not in text
    assert "DOORWAY_FIELD_KEYS" not in text


def test_a_database_that_does_not_answer_is_not_ready(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refused)
    status, body = ready(client)
    assert status == 503
    assert failing(body) == {"database", "migrations", "keys", "worker", "queue"}
    assert body["checks"]["worker"] == {"ok": False, "checked": False}


def test_ready_reads_a_few_rows_whatever_the_queue_holds(
    client: Client, settings: Any, worker_alive: None, django_assert_max_num_queries: Any
) -> None:
    settings.TASKS = DATABASE_QUEUE
    client.get("/health/ready")  # the key check, remembered for a while
    for _ in range(20):
        recount.enqueue()
    with django_assert_max_num_queries(8):
        response = client.get("/health/ready")
    assert response.status_code == 200


# The worker opens and closes its own connections: outside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_the_worker_says_it_is_alive_while_the_queue_is_empty(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.TASKS = DATABASE_QUEUE
    assert not WorkerHeartbeat.objects.exists()
    run_worker(monkeypatch)
    assert WorkerHeartbeat.objects.count() == 1


def test_a_heartbeat_older_than_a_day_is_forgotten() -> None:
    seen("gone", now=timezone.now() - datetime.timedelta(days=2))
    seen("here")
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["here"]

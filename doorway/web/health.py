"""Is Doorway up, and can it do its work? Two probes for the proxy, systemd and a
monitor, neither signed in nor audited, neither saying anything about anyone.

- /health/live: the process answers. Touches nothing, not even the database: a
  supervisor restarts a server that stops answering this, and restarting it for a
  database outage would not help.
- /health/ready: 200 when every check passes, 503 otherwise, with a JSON body of each
  check's state (counts and seconds only, no messages, no names):
  the database answers; no migration is left unapplied; the configured keys read the
  data already written (`keycheck.key_problems`, remembered for `KEY_CHECK_SECONDS`
  since it reads a sample of every table); a worker was seen in the last
  `WORKER_SILENT` (`worker.heartbeat`); and no task has waited for a worker longer
  than `QUEUE_WAITING` (the worker is alive but stuck, or too few for the work).
"""

from __future__ import annotations

import datetime
from functools import cache
from typing import Any

from django.core.cache import cache as shared_cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult, get_date_max

from doorway.keycheck import key_problems
from doorway.worker.heartbeat import last_seen

# Heartbeats come every 30 s: four missed is a worker gone, not a busy one.
WORKER_SILENT = datetime.timedelta(minutes=2)
QUEUE_WAITING = datetime.timedelta(minutes=15)
KEY_CHECK_SECONDS = 300
KEY_CHECK_CACHE = "doorway:health:key-problems"

Check = dict[str, Any]


@cache
def migrations_in_the_code() -> frozenset[tuple[str, str]]:
    """Every migration the code ships: read from disk once, it cannot change while the
    process runs."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def database_check() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return {"ok": False}
    return {"ok": True}


def migrations_check() -> Check:
    applied = set(MigrationRecorder(connection).applied_migrations())
    unapplied = len(migrations_in_the_code() - applied)
    if unapplied:
        # Asked again as `migrate` would ask, which knows squashed migrations: slower,
        # and only when something seems left.
        executor = MigrationExecutor(connection)
        unapplied = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    return {"ok": unapplied == 0, "unapplied": unapplied}


def keys_check() -> Check:
    problems = shared_cache.get(KEY_CHECK_CACHE)
    if problems is None:
        problems = len(key_problems())
        shared_cache.set(KEY_CHECK_CACHE, problems, KEY_CHECK_SECONDS)
    return {"ok": problems == 0, "problems": problems}


def worker_check(now: datetime.datetime) -> Check:
    seen = last_seen()
    if seen is None:
        return {"ok": False, "last_seen_seconds": None}
    silent = now - seen
    return {"ok": silent <= WORKER_SILENT, "last_seen_seconds": max(0, int(silent.total_seconds()))}


def queue_check(now: datetime.datetime) -> Check:
    ready = DBTaskResult.objects.ready()
    # Waiting since it was queued, or since the time it was queued for (the library
    # writes the largest date for "no time set").
    waiting = ready.filter(
        Q(run_after=get_date_max(), enqueued_at__lt=now - QUEUE_WAITING)
        | Q(run_after__lt=now - QUEUE_WAITING)
    )
    late = waiting.count()
    return {"ok": late == 0, "ready": ready.count(), "waiting_too_long": late}


def readiness() -> dict[str, Check]:
    checks: dict[str, Check] = {"database": database_check()}
    if not checks["database"]["ok"]:
        for name in ("migrations", "keys", "worker", "queue"):
            checks[name] = {"ok": False, "checked": False}
        return checks
    now = timezone.now()
    try:
        checks["migrations"] = migrations_check()
        checks["keys"] = keys_check()
        checks["worker"] = worker_check(now)
        checks["queue"] = queue_check(now)
    except DatabaseError:
        # The database went away between the checks, or a table is not there yet.
        for name in ("migrations", "keys", "worker", "queue"):
            checks.setdefault(name, {"ok": False, "checked": False})
    return checks


@require_safe
@never_cache
def live(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "live"})


@require_safe
@never_cache
def ready(request: HttpRequest) -> HttpResponse:
    checks = readiness()
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ready" if ok else "not ready", "checks": checks}, status=200 if ok else 503
    )

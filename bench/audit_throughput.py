"""Does the audit log serialise its readers? Throughput of an audited page against an
unaudited one, and of audit inserts against plain inserts, at 1, 4 and 8 at once.

    .venv/bin/python bench/audit_throughput.py                   # about a minute and a half
    .venv/bin/python bench/audit_throughput.py --seconds 10 --participants 1000

It makes a scratch PostgreSQL database (`doorway_bench_audit`, dropped again unless
--keep), migrates it and runs `doorway synth --participants N` into it with
bench/synth.py's throw-away keys and DOORWAY_DEMO on. Then, in a child process holding
the database's settings:

Pages. gunicorn on loopback with enough threads for 8 requests at once (2 workers of 4
threads, gthread), the production middleware and settings apart from plain-HTTP
cookies. Each client signs in as the case manager `edh1-cm0001` (a session of her own)
and requests one page as fast as it is answered, for --seconds, with 1, 4 and 8 clients:
- unaudited: `/tokens/`, her own tokens (writes no audit entry);
- audited: `/participants/<id>/`, her first participant's page (one VIEW entry each).
The two pages differ in weight too; what tells whether the audit serialises readers is
how each page's requests per second grow from 1 to 8 clients.

Inserts. 1, 4 and 8 threads, each with its own database connection, insert for
--seconds each, one row per transaction (autocommit), of three kinds:
- plain: a row of the same columns and indexes into `bench_plain_insert` (a copy of the
  audit table made for the run), through the ORM, no MAC, no lock;
- audit: `doorway.audit.log.record(...)` as every audited request calls it (its MAC
  computed, no lock);
- head-locked: the same inside a transaction that first locks the chain-head row, as
  every audited action did before the sequencer (for comparison).
Then it times `seal()` chaining every entry written, and `check_log()` checking the
whole log (entries per second).

It prints requests (rows) per second, the median and 95th percentile, and each audited
figure as a share of its unaudited one. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
NAME = "doorway_bench_audit"
CASE_MANAGER = "edh1-cm0001"
CLIENTS = (1, 4, 8)


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"bench/{name}.py is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pages = _load("pages")


def percentile(values: list[float], fraction: float) -> float:
    return float(pages.percentile(values, fraction)) if values else 0.0


def hammer(threads: int, seconds: float, job: Any, finish: Any = None) -> dict[str, float]:
    """`job(i)` called in a loop by each of `threads` threads for `seconds` (then
    `finish()` in each thread: its database connection closed); returns calls per
    second, median and 95th percentile in ms, and errors."""
    timings: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    start = threading.Barrier(threads + 1)
    stop_at = [0.0]

    def loop(i: int) -> None:
        start.wait()
        while time.perf_counter() < stop_at[0]:
            began = time.perf_counter()
            try:
                ok = job(i)
            except Exception:  # a benchmark counts errors, it does not stop
                ok = False
            if ok:
                timings[i].append(time.perf_counter() - began)
            else:
                errors[i] += 1
        if finish is not None:
            finish()

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    stop_at[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    every = [t for per in timings for t in per]
    return {
        "per_second": len(every) / elapsed,
        "median_ms": percentile(every, 0.5) * 1000,
        "p95_ms": percentile(every, 0.95) * 1000,
        "errors": float(sum(errors)),
    }


def measure_pages(seconds: float) -> dict[str, Any]:
    import requests

    from doorway.demo import DEMO_PASSWORD
    from doorway.enrolments.models import Enrolment

    mine = (
        Enrolment.objects.open()
        .filter(case_manager__username=CASE_MANAGER)
        .order_by("participant__code")
        .first()
    )
    if mine is None:
        raise SystemExit(f"{CASE_MANAGER} has no open enrolment")
    targets = {"unaudited": "/tokens/", "audited": f"/participants/{mine.participant_id}/"}
    port = pages.free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own server, on loopback
        [
            str(BIN / "gunicorn"),
            "doorway.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--timeout",
            "600",
            "--log-level",
            "warning",
        ],
        env=os.environ.copy(),
    )
    results: dict[str, Any] = {}
    try:
        for _ in range(120):
            try:
                requests.get(f"{base}/accounts/login/", timeout=5)
                break
            except (requests.ConnectionError, requests.Timeout):  # still starting
                time.sleep(0.5)
        sessions = [pages.sign_in(base, CASE_MANAGER, DEMO_PASSWORD) for _ in range(max(CLIENTS))]
        for path in targets.values():
            for session in sessions:  # warm each session's connection and the worker
                session.get(base + path, timeout=60).raise_for_status()
        for clients in CLIENTS:
            for label, path in targets.items():

                def fetch(i: int, path: str = path) -> bool:
                    answer = sessions[i].get(base + path, allow_redirects=False, timeout=120)
                    return bool(answer.status_code == 200)

                results[f"{label}-{clients}"] = hammer(clients, seconds, fetch)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def measure_inserts(seconds: float) -> dict[str, Any]:
    from django.db import connection, models, transaction
    from django.utils import timezone

    from doorway.audit.log import check_log, record, seal
    from doorway.audit.models import Action, AuditEntry, ChainHead

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_plain_insert")
        cursor.execute("CREATE TABLE bench_plain_insert (LIKE audit_auditentry INCLUDING ALL)")

    class PlainEntry(models.Model):
        id = models.BigAutoField(primary_key=True)
        at = models.DateTimeField()
        action = models.CharField(max_length=20)
        actor_id = models.CharField(max_length=36, blank=True)
        actor_username = models.CharField(max_length=150, blank=True)
        participant_id = models.CharField(max_length=36, blank=True)
        object_type = models.CharField(max_length=60, blank=True)
        object_id = models.CharField(max_length=36, blank=True)
        ip_address = models.GenericIPAddressField(null=True)
        path = models.CharField(max_length=300, blank=True)
        reason = models.TextField(blank=True)
        detail = models.JSONField(default=dict)
        entry_mac = models.CharField(max_length=64, blank=True)
        previous_hash = models.CharField(max_length=64, blank=True)

        class Meta:
            app_label = "audit"
            db_table = "bench_plain_insert"
            managed = False

        def __str__(self) -> str:
            return str(self.pk)

    ChainHead.objects.get_or_create(pk=1)
    seal()
    participant = "3f1c7d1e-0000-4000-8000-000000000000"

    def plain(i: int) -> bool:
        PlainEntry.objects.create(
            at=timezone.now(),
            action="view",
            actor_id="42",
            actor_username=CASE_MANAGER,
            participant_id=participant,
            ip_address="127.0.0.1",
            path=f"/participants/{participant}/",
            detail={"writer": i},
        )
        return True

    def audit(i: int) -> bool:
        record(Action.VIEW, participant=participant, detail={"writer": i})
        return True

    def head_locked(i: int) -> bool:
        with transaction.atomic():
            ChainHead.objects.select_for_update().get(pk=1)
            record(Action.VIEW, participant=participant, detail={"writer": i})
        return True

    results: dict[str, Any] = {}
    before = AuditEntry.objects.filter(seq__isnull=True).count()
    for writers in CLIENTS:
        for label, job in (("plain", plain), ("audit", audit), ("head-locked", head_locked)):
            results[f"{label}-{writers}"] = hammer(
                writers, seconds, job, finish=lambda: connection.close()
            )
    waiting = AuditEntry.objects.filter(seq__isnull=True).count() - before
    began = time.perf_counter()
    sealed = seal()
    took = time.perf_counter() - began
    results["seal"] = {"entries": sealed, "seconds": took, "waiting": waiting}
    began = time.perf_counter()
    report = check_log(seal_first=False)
    took = time.perf_counter() - began
    results["verify"] = {
        "entries": report.entries + report.unsealed,
        "seconds": took,
        "ok": report.ok,
    }
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_plain_insert")
    return results


def child(args: argparse.Namespace) -> int:
    import django

    django.setup()
    results = {
        "pages": measure_pages(args.seconds),
        "inserts": measure_inserts(args.insert_seconds),
    }
    print(json.dumps(results))
    return 0


def report(results: dict[str, Any]) -> None:
    page = results["pages"]
    print("\nPages: requests per second (median / p95 ms), 2 gunicorn workers x 4 threads")
    print(
        f"{'clients':>8} {'unaudited /tokens/':>28} {'audited participant page':>30} {'ratio':>7}"
    )
    for clients in CLIENTS:
        plain, audited = page[f"unaudited-{clients}"], page[f"audited-{clients}"]
        print(
            f"{clients:>8} {plain['per_second']:9.1f}/s ({plain['median_ms']:5.0f} / "
            f"{plain['p95_ms']:5.0f} ms) {audited['per_second']:11.1f}/s "
            f"({audited['median_ms']:5.0f} / {audited['p95_ms']:5.0f} ms) "
            f"{audited['per_second'] / max(plain['per_second'], 1e-9):6.0%}"
            + (
                f"  errors {plain['errors']:.0f}/{audited['errors']:.0f}"
                if plain["errors"] or audited["errors"]
                else ""
            )
        )
    for label in ("unaudited", "audited"):
        one, eight = page[f"{label}-1"]["per_second"], page[f"{label}-8"]["per_second"]
        print(f"  {label}: 8 clients serve {eight / max(one, 1e-9):.1f}x the requests of 1")

    rows = results["inserts"]
    print("\nInserts: rows per second (p95 ms), one row per transaction")
    print(
        f"{'writers':>8} {'plain':>18} {'audit (no lock)':>18} {'head-locked':>18} "
        f"{'audit/plain':>12} {'locked/plain':>13}"
    )
    for writers in CLIENTS:
        plain, audit, locked = (rows[f"{k}-{writers}"] for k in ("plain", "audit", "head-locked"))
        print(
            f"{writers:>8} {plain['per_second']:9.0f} ({plain['p95_ms']:4.1f}) "
            f"{audit['per_second']:11.0f} ({audit['p95_ms']:4.1f}) "
            f"{locked['per_second']:11.0f} ({locked['p95_ms']:4.1f}) "
            f"{audit['per_second'] / max(plain['per_second'], 1e-9):12.0%} "
            f"{locked['per_second'] / max(plain['per_second'], 1e-9):13.0%}"
        )
    seal = rows["seal"]
    print(
        f"\nseal(): {seal['entries']} entries chained in {seal['seconds']:.1f} s "
        f"({seal['entries'] / max(seal['seconds'], 1e-9):.0f} entries/s)"
    )
    check = rows["verify"]
    print(
        f"check_log(): the whole log, {check['entries']} entries, checked in "
        f"{check['seconds']:.1f} s ({check['entries'] / max(check['seconds'], 1e-9):.0f} "
        f"entries/s), {'intact' if check['ok'] else 'BROKEN'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=6, help="per page and client count")
    parser.add_argument(
        "--insert-seconds", type=float, default=4, help="per kind of insert and writer count"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database made")
    parser.add_argument("--reuse", action="store_true", help="use the database already made")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    load = os.getloadavg()
    print(
        f"bench/audit_throughput.py on {platform.node()}: {os.cpu_count()} CPUs, "
        f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, Python {platform.python_version()}, "
        f"PostgreSQL at {pages.SERVER.split('@')[-1]}, {args.participants} participants, "
        f"{args.seconds:g} s per page and client count, {args.insert_seconds:g} s per insert run"
    )
    with tempfile.TemporaryDirectory() as settings_dir:
        settings = pages.SETTINGS.replace("STATIC_ROOT_HERE", repr(settings_dir))
        (Path(settings_dir) / "bench_pages_settings.py").write_text(settings)
        env = pages.environment(f"{pages.SERVER}/{NAME}", settings_dir)
        made = False
        if not (args.reuse and pages.exists(NAME)):
            pages.build(args.participants, args.seed, NAME, env)
            made = True
        else:
            pages.migrate_if_behind(NAME, env)
        try:
            command = [sys.executable, __file__, "--child", "--seconds", str(args.seconds)]
            command += ["--insert-seconds", str(args.insert_seconds)]
            done = subprocess.run(  # noqa: S603 - this script, our own arguments
                command, env=env, check=True, stdout=subprocess.PIPE, text=True
            )
            report(json.loads(done.stdout.strip().splitlines()[-1]))
        finally:
            if made and not args.keep:
                pages.bench_synth.postgres(pages.SERVER, NAME, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

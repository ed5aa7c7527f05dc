"""Does the audit log serialise its readers? Throughput of an audited page against an
unaudited one, and of audit inserts against plain inserts, at 1, 4, 8 and 16 at once.

    .venv/bin/python bench/audit_throughput.py                   # about four and a half minutes
    .venv/bin/python bench/audit_throughput.py --seconds 10 --participants 1000

It makes a scratch PostgreSQL database (`doorway_bench_audit`, dropped again unless
--keep), migrates it and runs `doorway synth --participants N` into it with
bench/synth.py's throw-away keys and DOORWAY_DEMO on. Then, in a child process holding
the database's settings:

Pages. gunicorn on loopback with enough threads for 8 requests at once (2 workers of 4
threads, gthread), the production middleware and settings apart from plain-HTTP
cookies. Each client signs in as the case manager `edh1-cm0001` (a session of her own)
and requests one page as fast as it is answered, for --seconds, with 1, 4, 8 and 16
clients (16 is twice what the server serves at once: requests queue):
- unaudited: `/tokens/`, her own tokens (writes no audit entry);
- audited: `/participants/<id>/`, her first participant's page (one VIEW entry each);
- audit-off: the same participant page from a second server whose audit entries are
  made (MAC and all) but not written, the same page without its one insert.
/tokens/ and the participant page differ in weight too; audit-off is the same page as
the audited one, so the two tell most directly what the entry costs and whether it
serialises readers: how each one's requests per second and 95th percentile grow from 1
to 8 and 16 clients.

Inserts. 1, 4, 8 and 16 processes (forked from the child, so no two share Python's
lock, as no two application servers' processes do), each with its own database
connection, insert for --insert-seconds each, in 3 turns taken in alternation by the
kinds (the load of a shared machine drifts: each kind gets its share of it), one row
per transaction (autocommit), of three kinds:
- plain: a row of the same columns and indexes into `bench_plain_insert` (a copy of the
  audit table made for the run), through the ORM, no MAC, no lock;
- audit: `doorway.audit.log.record(...)` as every audited request calls it (its MAC
  computed, no lock);
- head-locked: the same inside a transaction that first locks the chain-head row, as
  every audited action did before the sequencer (for comparison).
Then it times `seal()` chaining every entry written, and `check_log()` checking the
whole log (entries per second).

It prints requests (rows) per second, the median and 95th percentile, each audited
figure as a share of its unaudited one, and how the 95th percentile grows from 1 writer
or client to 8 and 16, audited against unaudited. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import secrets
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
CLIENTS = (1, 4, 8, 16)
ROUNDS = 3  # inserts: each kind's seconds split into this many turns
SERVER_THREADS = 4  # per worker, 2 workers: 8 requests served at once


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


# The same application with its audit entries computed (MAC and all) but not written:
# the participant page without its one insert, for the fairest comparison.
AUDIT_OFF_WSGI = """
from doorway.wsgi import application  # noqa: F401
from doorway.audit.models import AuditEntry


def _not_written(self, *args, **kwargs):
    return None


AuditEntry.save = _not_written
"""


def hammer_processes(processes: int, seconds: float, job: Any) -> dict[str, Any]:
    """`job(i)` called in a loop by each of `processes` forked processes, each with a
    database connection of its own (as application servers' processes are), for
    `seconds` from one common start; their timings gathered."""
    import multiprocessing

    from django.db import connection

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    connection.close()  # never shared with a child
    ready = context.Barrier(processes + 1)

    def loop(i: int) -> None:
        job(i)  # connected and warm before the clock starts (not counted)
        timings: list[float] = []
        errors = 0
        ready.wait()
        stop_at = time.perf_counter() + seconds
        while time.perf_counter() < stop_at:
            began = time.perf_counter()
            try:
                ok = job(i)
            except Exception:  # a benchmark counts errors, it does not stop
                ok = False
            if ok:
                timings.append(time.perf_counter() - began)
            else:
                errors += 1
        connection.close()
        queue.put((timings, errors))

    children = [context.Process(target=loop, args=(i,)) for i in range(processes)]
    for child in children:
        child.start()
    ready.wait()
    gathered = [queue.get(timeout=seconds + 120) for _ in children]
    for child in children:
        child.join(timeout=60)
    return {
        "timings": [t for timings, _errors in gathered for t in timings],
        "errors": sum(errors for _timings, errors in gathered),
        "seconds": seconds,
    }


def combined(runs: list[dict[str, Any]]) -> dict[str, float]:
    every = [t for run in runs for t in run["timings"]]
    return {
        "per_second": len(every) / sum(run["seconds"] for run in runs),
        "median_ms": percentile(every, 0.5) * 1000,
        "p95_ms": percentile(every, 0.95) * 1000,
        "errors": float(sum(run["errors"] for run in runs)),
    }


def measure_pages(seconds: float) -> dict[str, Any]:
    from doorway.enrolments.models import Enrolment

    mine = (
        Enrolment.objects.open()
        .filter(case_manager__username=CASE_MANAGER)
        .order_by("participant__code")
        .first()
    )
    if mine is None:
        raise SystemExit(f"{CASE_MANAGER} has no open enrolment")
    participant_page = f"/participants/{mine.participant_id}/"
    results = serve_and_hammer(
        "doorway.wsgi:application",
        {"unaudited": "/tokens/", "audited": participant_page},
        seconds,
    )
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "bench_audit_off_wsgi.py").write_text(AUDIT_OFF_WSGI)
        results |= serve_and_hammer(
            "bench_audit_off_wsgi:application",
            {"audit-off": participant_page},
            seconds,
            pythonpath=folder,
        )
    return results


def serve_and_hammer(
    app: str, targets: dict[str, str], seconds: float, pythonpath: str = ""
) -> dict[str, Any]:
    """gunicorn serving `app`; each target hammered by 1, 4, 8 and 16 clients."""
    import requests

    from doorway.demo import DEMO_PASSWORD

    port = pages.free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ.copy()
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([pythonpath, env.get("PYTHONPATH", "")])
    server = subprocess.Popen(  # noqa: S603 - our own server, on loopback
        [
            str(BIN / "gunicorn"),
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            str(SERVER_THREADS),
            "--worker-class",
            "gthread",
            "--timeout",
            "600",
            "--log-level",
            "warning",
        ],
        env=env,
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
        nonce = models.CharField(max_length=32, blank=True)
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
        PlainEntry._default_manager.create(
            at=timezone.now(),
            action="view",
            actor_id="42",
            actor_username=CASE_MANAGER,
            participant_id=participant,
            ip_address="127.0.0.1",
            path=f"/participants/{participant}/",
            detail={"writer": i},
            nonce=secrets.token_hex(16),
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
    kinds = (("plain", plain), ("audit", audit), ("head-locked", head_locked))
    for writers in CLIENTS:
        # The kinds take turns in short rounds, so that the load of a shared machine
        # drifting during the run falls on each of them alike.
        runs: dict[str, list[dict[str, Any]]] = {label: [] for label, _job in kinds}
        for _round in range(ROUNDS):
            for label, job in kinds:
                runs[label].append(hammer_processes(writers, seconds / ROUNDS, job))
        for label, _job in kinds:
            results[f"{label}-{writers}"] = combined(runs[label])
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


def growth(runs: dict[str, Any], base: str, audited: str, what: str) -> str:
    """How the 95th percentile grows from 1 to 8 and to 16, the audited kind beside the
    one without the audit (issue 18: the audited one should grow no faster)."""
    parts = []
    for n in (8, 16):
        ratios = [
            runs[f"{kind}-{n}"]["p95_ms"] / max(runs[f"{kind}-1"]["p95_ms"], 1e-9)
            for kind in (base, audited)
        ]
        parts.append(f"{n} {what}: {base} {ratios[0]:.1f}x, {audited} {ratios[1]:.1f}x")
    return "p95 growth from 1 " + what[:-1] + " to " + "; to ".join(parts)


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
    print("  " + growth(page, "unaudited", "audited", "clients"))
    print(
        "\nThe participant page, its audit entry computed but not written (a server of its "
        "own)\n"
        f"{'clients':>8} {'audit-off req/s (median / p95)':>32} {'audited / audit-off':>20}"
    )
    for clients in CLIENTS:
        off, audited = page[f"audit-off-{clients}"], page[f"audited-{clients}"]
        print(
            f"{clients:>8} {off['per_second']:13.1f}/s ({off['median_ms']:5.0f} / "
            f"{off['p95_ms']:5.0f} ms) "
            f"{audited['per_second'] / max(off['per_second'], 1e-9):19.0%}"
        )
    print("  " + growth(page, "audit-off", "audited", "clients"))

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
            + (
                f"  errors {plain['errors']:.0f}/{audit['errors']:.0f}/{locked['errors']:.0f}"
                if plain["errors"] or audit["errors"] or locked["errors"]
                else ""
            )
        )
    print(
        "  audit / plain with 8 writers: "
        f"{rows['audit-8']['per_second'] / max(rows['plain-8']['per_second'], 1e-9):.0%}"
        " (issue 18's target: at least 80%)"
    )
    print("  " + growth(rows, "plain", "audit", "writers"))
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
        "--insert-seconds", type=float, default=6, help="per kind of insert and writer count"
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

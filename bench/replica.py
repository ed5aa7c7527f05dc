"""The reports on a real PostgreSQL streaming replica: the case manager's caseload and the
contacts written while three evaluation reports run, with the reports on the primary
and then on the replica.

    .venv/bin/python bench/replica.py                       # builds 10,000, drops it after
    .venv/bin/python bench/replica.py --participants 1000 --seconds 20
    .venv/bin/python bench/replica.py --copy-of doorway_bench_synth_10000

Run as root (or as a user who may run commands as `postgres` with runuser and edit the
server's pg_hba.conf), on the machine of the PostgreSQL server at 127.0.0.1:5432 that
lets `postgres` in without a password (as `.ci/run` sets up).

What it does, in order:

1. The deployment: a scratch database `doorway_bench_replica_<N>` migrated and filled by
   `doorway synth --participants N --seed S` (bench/synth.py's throw-away keys,
   DOORWAY_DEMO on), or made a copy of a kept one with --copy-of NAME (`CREATE DATABASE
   ... TEMPLATE`, which needs nobody connected to it), dropped at the end unless --keep
   (--reuse takes one already there); or --database NAME, any database already built,
   written into.
2. The replica. Streaming replication needs, on the primary, `wal_level` replica or
   logical and `max_wal_senders` above 0 (PostgreSQL 15's defaults: nothing to restart),
   and a pg_hba.conf line that lets the standby connect for replication: a `host ... all`
   line does not cover replication. When no line does, it appends
   `host replication postgres 127.0.0.1/32 trust` (marked as this script's) and reloads
   the server (`pg_reload_conf()`, no restart), and at the end puts the file back as it
   was and reloads again. Then, as `postgres`, `pg_basebackup -R -X stream -c fast`
   copies the whole server into a temporary directory (every database on the server, so
   it takes the server's size on disk for a while), writes the standby's own
   postgresql.conf (port --port, 5433; its socket in that directory; max_connections
   and the other limits a standby must not have lower than its primary's; hot_standby and
   hot_standby_feedback on, so a long report is never cancelled by replay) and starts it
   with the Debian binaries (`pg_ctl` from /usr/lib/postgresql/<version>/bin). It waits
   until the standby has replayed everything the primary had written.
3. The load, three phases of --seconds each, in turns for --rounds rounds (so a burst of
   load from the rest of the machine falls on each of them), each against fresh app
   servers (gunicorn on loopback, production settings, plain-HTTP cookies):
   - quiet: two case managers' clients reading `/caseload/` (0.2 s between requests)
     while a third records contacts through the contact form, as fast as it answers
     (GET the form, POST it: a write on the primary);
   - reports on the primary: the same, and three program-manager clients each asking
     for the evaluation page of the largest program again and again;
   - reports on the replica: the same, with DATABASE_REPLICA_URL pointing at the
     standby, so the evaluation reads there (doorway/replica.py).
   The caseload and the contact form are served by one server (2 workers), the reports
   by another (3 workers). On this 2-core machine the replica cannot have hardware of
   its own, so --pin (on by default) stands in for it: the reports' server and the
   standby run on the last core (taskset), the caseload's server on the first; the
   primary's processes are left as they are. Without it every process shares every
   core, and the reports' Python, wherever their SQL runs, takes the caseload's CPU.
4. It prints, per phase: the caseload's requests, median and 95th percentile (time
   from sending the request to the last byte), the contacts recorded per second and
   their median, the evaluation pages answered and their median, and for the replica
   phase the largest replay lag the primary reported (`pg_stat_replication.replay_lag`)
   and the bytes of WAL the standby was behind at most. A request answering anything
   but 200 (or 302 for the contact) is counted as an error. Then it stops the standby,
   removes its directory, restores pg_hba.conf and drops the scratch database.

Nothing is asserted: the figures are only printed. The load average at the start is
printed with them, since the machine is shared.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
HOST, PRIMARY_PORT = "127.0.0.1", 5432
SERVER = f"postgres://postgres@{HOST}:{PRIMARY_PORT}"
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
TASKSET = shutil.which("taskset") or "taskset"
HBA_MARK = "# added by doorway bench/replica.py, removed when it ends"
HBA_LINE = f"host replication postgres {HOST}/32 trust {HBA_MARK}\n"

_spec = importlib.util.spec_from_file_location("bench_synth", ROOT / "bench" / "synth.py")
if _spec is None or _spec.loader is None:
    raise ImportError("bench/synth.py is missing")
bench_synth = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_synth)

PLAIN_HTTP = {
    "DOORWAY_SECURE_COOKIES": "false",
    "DOORWAY_SSL_REDIRECT": "false",
    "DOORWAY_HSTS_SECONDS": "0",
    "DOORWAY_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DOORWAY_LOG_LEVEL": "WARNING",
}
# The production settings, but static names unhashed and an empty static folder: the
# pages are fetched, never their static files, and no collectstatic is needed.
SETTINGS = """\
from doorway.settings import *  # noqa: F403

STATIC_ROOT = STATIC_ROOT_HERE

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""


def admin(sql: str, params: list[Any] | None = None, *, port: int = PRIMARY_PORT) -> Any:
    import psycopg

    with psycopg.connect(f"postgres://postgres@{HOST}:{port}/postgres", autocommit=True) as db:
        return db.execute(sql, params or []).fetchall()


def as_postgres(*command: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed commands of our own
        [RUNUSER, "-u", "postgres", "--", *command], check=True, text=True, **kwargs
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the deployment ------------------------------------------------------------------


def app_environment(database: str, settings_dir: str, replica_port: int | None) -> dict[str, str]:
    path = os.pathsep.join([settings_dir, str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = {
        **os.environ,
        **bench_synth.KEYS,
        **PLAIN_HTTP,
        "DATABASE_URL": f"{SERVER}/{database}",
        "DJANGO_SETTINGS_MODULE": "bench_replica_settings",
        "PYTHONPATH": path.rstrip(os.pathsep),
    }
    env.pop("DATABASE_REPLICA_URL", None)
    if replica_port is not None:
        env["DATABASE_REPLICA_URL"] = f"postgres://postgres@{HOST}:{replica_port}/{database}"
    return env


def doorway(env: dict[str, str], *args: str, capture: bool = False) -> str:
    done = subprocess.run(  # noqa: S603 - our own command
        [str(BIN / "doorway"), *args, "--skip-checks"],
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )
    return done.stdout or ""


def prepare(args: argparse.Namespace, env: dict[str, str]) -> None:
    name = args.database
    exists = admin("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    if args.built or (args.reuse and exists):
        if not args.no_migrate:
            plan = doorway(env, "migrate", "--plan", capture=True)
            if "No planned migration operations" not in plan:
                doorway(env, "migrate", "--noinput", "-v0")
        return
    started = time.perf_counter()
    if args.copy_of:
        # A copy of a kept deployment, so the contacts written here stay out of it.
        bench_synth.postgres(SERVER, name, drop_only=True)
        admin(f'CREATE DATABASE "{name}" TEMPLATE "{args.copy_of}"')
        print(f"  copied {args.copy_of} in {time.perf_counter() - started:.0f} s", flush=True)
        if not args.no_migrate:
            doorway(env, "migrate", "--noinput", "-v0")
        return
    bench_synth.postgres(SERVER, name)
    doorway(env, "migrate", "--noinput", "-v0")
    doorway(env, "synth", "--participants", str(args.participants), "--seed", str(args.seed))
    print(f"  built {name} in {time.perf_counter() - started:.0f} s", flush=True)


# --- the replica ---------------------------------------------------------------------


@contextlib.contextmanager
def replication_allowed() -> Iterator[None]:
    """pg_hba.conf lets postgres connect for replication from loopback while inside."""
    (hba,) = admin("SHOW hba_file")[0]
    rules = admin(
        "SELECT 1 FROM pg_hba_file_rules WHERE type = 'host' AND error IS NULL "
        "AND 'replication' = ANY(database) AND ('all' = ANY(user_name) "
        "OR 'postgres' = ANY(user_name)) AND auth_method IN ('trust', 'peer')"
    )
    if rules:
        yield
        return
    original = Path(hba).read_text()
    stat = os.stat(hba)
    try:
        Path(hba).write_text(original + HBA_LINE)
        admin("SELECT pg_reload_conf()")
        print(f"  appended a replication line to {hba} and reloaded", flush=True)
        yield
    finally:
        Path(hba).write_text(original)
        os.chown(hba, stat.st_uid, stat.st_gid)
        admin("SELECT pg_reload_conf()")
        print(f"  {hba} restored and reloaded", flush=True)


@contextlib.contextmanager
def standby(port: int, pin: str | None) -> Iterator[Path]:
    """A hot standby of the primary on `port`, in a temporary directory; stopped and
    removed on the way out."""
    level, senders, version = (
        admin("SHOW wal_level")[0][0],
        int(admin("SHOW max_wal_senders")[0][0]),
        admin("SHOW server_version_num")[0][0][:2],
    )
    if level not in ("replica", "logical") or senders < 1:
        raise SystemExit(
            f"wal_level is {level} and max_wal_senders {senders}: streaming replication "
            "needs wal_level = replica and max_wal_senders > 0 in the primary's "
            "postgresql.conf, and a restart, which this script does not do"
        )
    binaries = Path(f"/usr/lib/postgresql/{version}/bin")
    # A hot standby refuses to start with less of these than its primary has.
    same_as_primary = "".join(
        f"{name} = {admin(f'SHOW {name}')[0][0]}\n"
        for name in (
            "max_connections",
            "max_worker_processes",
            "max_wal_senders",
            "max_prepared_transactions",
            "max_locks_per_transaction",
        )
    )
    top = Path(tempfile.mkdtemp(prefix="doorway-bench-replica-"))
    data = top / "data"
    shutil.chown(top, "postgres", "postgres")
    top.chmod(0o700)
    started = time.perf_counter()
    running = False
    try:
        as_postgres(
            str(binaries / "pg_basebackup"),
            *("-h", HOST, "-p", str(PRIMARY_PORT), "-U", "postgres"),
            *("-D", str(data), "-R", "-X", "stream", "-c", "fast"),
        )
        size = sum(f.stat().st_size for f in data.rglob("*") if f.is_file())
        print(
            f"  pg_basebackup: {size / 1e9:.2f} GB in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        (data / "postgresql.conf").write_text(
            f"port = {port}\n"
            f"listen_addresses = '{HOST}'\n"
            f"unix_socket_directories = '{top}'\n"
            "hot_standby = on\n"
            "hot_standby_feedback = on\n"
            f"{same_as_primary}"
            "shared_buffers = 128MB\n"
            "jit = off\n"
            "logging_collector = off\n"
        )
        (data / "pg_hba.conf").write_text(f"local all all trust\nhost all all {HOST}/32 trust\n")
        (data / "pg_ident.conf").write_text("")
        for path in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
            shutil.chown(data / path, "postgres", "postgres")
        ctl = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(top / "log"), "-w"]
        command = [TASKSET, "-c", pin, *ctl] if pin else ctl
        try:
            as_postgres(*command, "-t", "600", "start", stdout=subprocess.DEVNULL)
        except subprocess.CalledProcessError:
            print((top / "log").read_text()[-3000:], file=sys.stderr)
            raise
        running = True
        caught_up(port)
        print(f"  standby on port {port}, caught up", flush=True)
        yield top
    finally:
        if running:
            as_postgres(
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-m",
                "fast",
                "-w",
                "stop",
                stdout=subprocess.DEVNULL,
            )
        shutil.rmtree(top, ignore_errors=True)
        print("  standby stopped and removed", flush=True)


def caught_up(port: int, timeout: float = 600) -> None:
    """Wait until the standby has replayed what the primary had written when asked."""
    (target,) = admin("SELECT pg_current_wal_lsn()::text")[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            (behind,) = admin(
                "SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn())", [target], port=port
            )[0]
            if behind is not None and behind <= 0:
                return
        time.sleep(0.5)
    raise SystemExit(f"the standby on port {port} did not catch up in {timeout:.0f} s")


# --- the load ------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    caseload: list[float] = field(default_factory=list)
    contacts: list[float] = field(default_factory=list)
    reports: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    lag: list[float] = field(default_factory=list)
    behind: list[int] = field(default_factory=list)


@contextlib.contextmanager
def servers(
    env: dict[str, str], pin_caseload: str | None, pin_reports: str | None
) -> Iterator[tuple[str, str]]:
    """Two gunicorn servers on loopback: the caseload's (2 workers) and the reports' (3)."""
    started: list[subprocess.Popen[bytes]] = []
    bases = []
    try:
        for workers, pin in ((2, pin_caseload), (3, pin_reports)):
            port = free_port()
            command = [
                str(BIN / "gunicorn"),
                "doorway.wsgi:application",
                *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
                *("--timeout", "600", "--log-level", "warning"),
            ]
            if pin:
                command = [TASKSET, "-c", pin, *command]
            started.append(subprocess.Popen(command, env=env))  # noqa: S603 - ours
            bases.append(f"http://127.0.0.1:{port}")
        import requests

        for base in bases:
            for _ in range(240):
                try:
                    requests.get(f"{base}/accounts/login/", timeout=5)
                    break
                except (requests.ConnectionError, requests.Timeout):  # still starting
                    time.sleep(0.5)
        yield bases[0], bases[1]
    finally:
        for server in started:
            server.terminate()
        for server in started:
            server.wait(timeout=60)


def sign_in(base: str, username: str, password: str) -> Any:
    import requests

    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=60).raise_for_status()
    answer = session.post(
        f"{base}/accounts/login/",
        data={
            "login": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=60,
    )
    answer.raise_for_status()
    if session.get(f"{base}/caseload/", allow_redirects=False, timeout=60).status_code != 200:
        raise SystemExit(f"could not sign in as {username}")
    return session


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KIND = re.compile(r'<select name="kind"[^>]*>.*?<option value="([^"]+)"', re.S)
# The form's own date: today where the server is.
TODAY = re.compile(r'<input[^>]*name="happened_on"[^>]*value="([^"]+)"')


def run_phase(
    phase: Phase,
    bases: tuple[str, str],
    cast: dict[str, Any],
    seconds: float,
    reports: int,
    replica_port: int | None,
) -> None:
    caseload_base, reports_base = bases
    stop = threading.Event()
    errors: dict[str, int] = {}
    lock = threading.Lock()

    def failed(what: str) -> None:
        with lock:
            errors[what] = errors.get(what, 0) + 1

    def caseload(session: Any) -> None:
        while not stop.is_set():
            started = time.perf_counter()
            answer = session.get(f"{caseload_base}/caseload/", timeout=600)
            _ = answer.content
            if answer.status_code == 200:
                phase.caseload.append(time.perf_counter() - started)
            else:
                failed("caseload")
            stop.wait(0.2)

    def writer(session: Any) -> None:
        enrolments = cast["enrolments"]
        turn = 0
        while not stop.is_set():
            path = f"/enrolments/{enrolments[turn % len(enrolments)]}/contacts/new/"
            turn += 1
            started = time.perf_counter()
            form = session.get(caseload_base + path, timeout=600).text
            token, kind, today = CSRF.search(form), KIND.search(form), TODAY.search(form)
            if token is None or kind is None or today is None:
                failed("contact form")
                stop.wait(1)
                continue
            answer = session.post(
                caseload_base + path,
                data={
                    "csrfmiddlewaretoken": token.group(1),
                    "happened_on": today.group(1),
                    "duration_minutes": "30",
                    "kind": kind.group(1),
                    "note": "Replica bench: a check-in by phone.",
                },
                headers={"Referer": caseload_base + path},
                allow_redirects=False,
                timeout=600,
            )
            if answer.status_code == 302:
                phase.contacts.append(time.perf_counter() - started)
            else:
                failed("contact")

    def report(session: Any) -> None:
        while not stop.is_set():
            started = time.perf_counter()
            answer = session.get(f"{reports_base}{cast['evaluation']}", timeout=600)
            _ = answer.content
            if stop.is_set():
                return  # cut short by the end of the phase: not a whole report
            if answer.status_code == 200:
                phase.reports.append(time.perf_counter() - started)
            else:
                failed("evaluation")
                stop.wait(1)

    def lag() -> None:
        while not stop.is_set():
            with contextlib.suppress(Exception):
                row = admin(
                    "SELECT EXTRACT(EPOCH FROM replay_lag)::float8, "
                    "pg_wal_lsn_diff(sent_lsn, replay_lsn)::bigint FROM pg_stat_replication "
                    "WHERE client_addr = %s::inet",
                    [HOST],
                )
                if row:
                    phase.lag.append(row[0][0] or 0.0)
                    phase.behind.append(row[0][1] or 0)
            stop.wait(1)

    password = cast["password"]
    workers = [sign_in(caseload_base, u, password) for u in cast["readers"]]
    author = sign_in(caseload_base, cast["author"], password)
    managers = [sign_in(reports_base, cast["manager"], password) for _ in range(reports)]
    if phase.name != "quiet":
        managers[0].get(f"{reports_base}{cast['evaluation']}", timeout=600)  # warm
    threads = [threading.Thread(target=caseload, args=(s,)) for s in workers]
    threads.append(threading.Thread(target=writer, args=(author,)))
    if phase.name != "quiet":
        threads += [threading.Thread(target=report, args=(s,)) for s in managers]
    if replica_port is not None:
        threads.append(threading.Thread(target=lag))
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    phase.seconds += time.perf_counter() - started
    for what, n in errors.items():
        phase.errors[what] = phase.errors.get(what, 0) + n


def cast_of(env: dict[str, str]) -> dict[str, Any]:
    """Who plays whom, read in a child process holding the deployment's settings: two
    case managers of the largest program and a third who records contacts, her open
    enrolments, a manager of that program, and its evaluation page."""
    program = (
        "import django, json; django.setup()\n"
        "from django.db.models import Count\n"
        "from doorway.demo import DEMO_PASSWORD\n"
        "from doorway.enrolments.models import Enrolment\n"
        "from doorway.programs.models import Program\n"
        "p = Program.objects.annotate(n=Count('cycles__enrolments'))"
        ".order_by('-n').first()\n"
        "rows = (Enrolment.objects.open().filter(cycle__program=p)"
        ".values('case_manager__username').annotate(n=Count('pk')).order_by('-n')[:3])\n"
        "names = [r['case_manager__username'] for r in rows]\n"
        "from doorway.people.models import User\n"
        "from doorway.people.roles import Role\n"
        "manager = User.objects.filter(role=Role.PROGRAM_MANAGER, programs=p, is_active=True)"
        ".order_by('username').values_list('username', flat=True).first()\n"
        "mine = Enrolment.objects.open().filter(case_manager__username=names[2])"
        ".order_by('pk').values_list('pk', flat=True)[:20]\n"
        "print(json.dumps({'readers': names[:2], 'author': names[2],"
        " 'enrolments': [str(pk) for pk in mine],"
        " 'evaluation': f'/evaluation/{p.slug}/', 'program': p.name,"
        " 'password': DEMO_PASSWORD, 'manager': manager}))\n"
    )
    import json

    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", program], env=env, check=True, capture_output=True, text=True
    )
    return dict(json.loads(done.stdout))


def summary(phase: Phase, quiet: Phase) -> str:
    def ms(values: list[float], fraction: float) -> str:
        return f"{percentile(values, fraction) * 1000:.0f}" if values else "-"

    change = ""
    if quiet.caseload and phase.caseload and phase is not quiet:
        ratio = percentile(phase.caseload, 0.95) / percentile(quiet.caseload, 0.95)
        change = f" ({ratio - 1:+.0%})"
    rate = len(phase.contacts) / phase.seconds if phase.seconds else 0.0
    reports = (
        f"{len(phase.reports)} at {statistics.median(phase.reports):.2f} s"
        if phase.reports
        else "-"
    )
    lag = (
        f"{max(phase.lag) * 1000:.0f} ms, {max(phase.behind) / 1024:.0f} KiB" if phase.lag else "-"
    )
    errors = ", ".join(f"{k} {v}" for k, v in sorted(phase.errors.items())) or "0"
    return (
        f"| {phase.name} | {len(phase.caseload)} | {ms(phase.caseload, 0.5)} | "
        f"{ms(phase.caseload, 0.95)}{change} | {rate:.2f} ({ms(phase.contacts, 0.5)} ms) | "
        f"{reports} | {lag} | {errors} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", help="an already built deployment to measure")
    parser.add_argument(
        "--copy-of", help="make the scratch database a copy of this kept one (no synth)"
    )
    parser.add_argument("--no-migrate", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="take the scratch one if there")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--seconds", type=float, default=40.0, help="per phase and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--reports", type=int, default=3, help="evaluation clients")
    parser.add_argument("--port", type=int, default=5433, help="the standby's port")
    parser.add_argument("--no-pin", action="store_true", help="no taskset")
    args = parser.parse_args()
    args.built = args.database is not None
    if args.database is None:
        args.database = f"doorway_bench_replica_{args.participants}"

    cores = os.cpu_count() or 1
    pin = not args.no_pin and cores >= 2 and shutil.which("taskset") is not None
    pin_caseload, pin_reports = ("0", str(cores - 1)) if pin else (None, None)
    print(
        f"{platform.node()}: {cores} cores, Python {platform.python_version()}, load "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; {args.database}; "
        f"{args.seconds:.0f} s per phase, {args.rounds} rounds, {args.reports} report "
        f"clients; {'pinned' if pin else 'not pinned'}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="doorway-bench-replica-settings-") as settings_dir:
        static = Path(settings_dir) / "static"
        static.mkdir()
        (Path(settings_dir) / "bench_replica_settings.py").write_text(
            SETTINGS.replace("STATIC_ROOT_HERE", repr(str(static)))
        )
        env = app_environment(args.database, settings_dir, None)
        prepare(args, env)
        try:
            cast = cast_of(env)
            print(f"  {cast['program']}: {cast['evaluation']}", flush=True)
            with replication_allowed(), standby(args.port, pin_reports):
                on_replica = app_environment(args.database, settings_dir, args.port)
                phases = {
                    name: Phase(name)
                    for name in ("quiet", "reports on the primary", "reports on the replica")
                }
                for round_ in range(args.rounds):
                    for name, phase in phases.items():
                        replica = name.endswith("replica")
                        with servers(
                            on_replica if replica else env, pin_caseload, pin_reports
                        ) as bases:
                            run_phase(
                                phase,
                                bases,
                                cast,
                                args.seconds,
                                args.reports,
                                args.port if replica else None,
                            )
                        print(f"  round {round_ + 1}: {name} done", flush=True)
                print(
                    "\n| phase | caseload requests | median ms | p95 ms (against quiet) | "
                    "contacts/s (median) | evaluation pages (median) | replica lag at most | "
                    "errors |"
                )
                print("|---|---|---|---|---|---|---|---|")
                for phase in phases.values():
                    print(summary(phase, phases["quiet"]))
                print(f"\nload at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        finally:
            if not args.built and not args.keep:
                bench_synth.postgres(SERVER, args.database, drop_only=True)
                print(f"  dropped {args.database}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Server latency of the busiest pages against a minimal signed-in page, at several sizes.

    .venv/bin/python bench/pages.py                            # 1,000 and 10,000
    .venv/bin/python bench/pages.py --sizes 1000 --requests 30
    .venv/bin/python bench/pages.py --sizes 1000 10000 --reuse-100k
    .venv/bin/python bench/pages.py --sizes --database doorway_bench_synth_10000 --no-migrate

For each size it makes a scratch PostgreSQL database (`doorway_bench_pages_<N>`, dropped
again unless --keep; --reuse takes one already there), migrates it and runs
`doorway synth --participants N --seed S` into it with bench/synth.py's throw-away keys
and DOORWAY_DEMO on. --reuse-100k also measures the kept `doorway_bench_synth_100000`
(made by `bench/synth.py --sizes 100000 --keep`), and --database NAME any database
already built, migrating either first if it is behind (--no-migrate leaves its schema
alone, as when the working tree holds unfinished migrations); signing in, the token and
the pages' audit entries are written into it.

Then, in a child process holding the database's settings, it starts the app under
gunicorn on loopback (one sync worker: every page, the minimal one included, is served
by the same process, over real HTTP, with the production middleware and settings apart
from plain-HTTP cookies and unhashed static names), signs in through the sign-in form
as a case manager (`edh1-cm0001`) and the program's manager (`edh1-manager`), with the
demo password, and issues the case manager a read token with
`doorway.api.tokens.issue_token` (revoked again at the end of the run). A token needs
a second factor, demo accounts included, so the case manager first gets an
authenticator app (allauth's TOTP with a fresh secret, and recovery codes, as its
activation page gives them; kept in the database, and reused by a later run on it)
and signs in through the code step with
its code; the program manager, with none, signs in as a demo account may while
DOORWAY_DEMO is on. The minimal page lists her tokens in use and only counts the
revoked and expired ones, so runs on a kept database do not make it grow (before
2026-12-07 it listed every token she ever had: each run added about 0.4 ms).

The pages, each requested --warm times, then --requests times in turns (one request of
each page per round, so a burst of load on the shared machine falls on all of them):
- minimal: `/tokens/`, the case manager's own tokens, the lightest signed-in page (two
  small queries of her tokens, beside the session's and her row's; the home page lists
  her caseload);
- anonymous sign-in: `/accounts/login/` with no session, the floor of a page nobody is
  signed in to; the signed-in floor is the minimal page's median over this one's;
- caseload: `/caseload/`, her open enrolments and what is due;
- caseload (manager): `/caseload/` as the program manager, the caseloads of her whole
  program, a page (50 women) at a time;
- participant: `/participants/<id>/`, the first participant of her caseload;
- search: `/participants/` POSTed with a surname of one of her participants;
- evaluation: `/evaluation/<program>/`, as the program manager: the report the worker
  keeps (`doorway/evaluation/snapshots.py`), dropped before the run so that the first,
  untimed, request counts it; the time that count took is printed beside the table;
- API contacts / API participants: `/api/v1/contacts/`, `/api/v1/participants/`, first
  page, with her token.
It prints the median and 95th percentile of the time from sending the request to the
last byte of the answer, the 95th percentile's ratio to the minimal page's, and the
queries each page ran (counted in the child process itself, through Django's test
client and `CaptureQueriesContext`, against the same database). Nothing is asserted:
the figures are only printed. A page answering anything but 200 is counted as an error.

    --pages caseload search      only these pages (and the minimal one), by the first
                                 word of their label, lower case ("api" takes both)
    --plans 2                    also print, for each page, its 2 slowest queries
                                 (as timed while counting) with their EXPLAIN ANALYZE

The plans go to standard error, with the searched name replaced by `<name>`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
SERVER = "postgres://postgres@127.0.0.1:5432"
KEPT_100K = "doorway_bench_synth_100000"
CASE_MANAGER = "edh1-cm0001"
ANONYMOUS = "anonymous sign-in"
PROGRAM_MANAGER = "edh1-manager"

_spec = importlib.util.spec_from_file_location("bench_synth", ROOT / "bench" / "synth.py")
if _spec is None or _spec.loader is None:
    raise ImportError("bench/synth.py is missing")
bench_synth = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_synth)

# Plain HTTP on loopback: cookies without the Secure flag, no redirect to HTTPS.
PLAIN_HTTP = {
    "DOORWAY_SECURE_COOKIES": "false",
    "DOORWAY_SSL_REDIRECT": "false",
    "DOORWAY_HSTS_SECONDS": "0",
    "DOORWAY_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DOORWAY_LOG_LEVEL": "WARNING",
}
# The production settings, but static names unhashed: no collectstatic needed, and the
# pages fetched never their static files.
SETTINGS = """\
from doorway.settings import *  # noqa: F403

STATIC_ROOT = STATIC_ROOT_HERE

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""


def environment(url: str, settings_dir: str) -> dict[str, str]:
    path = os.pathsep.join([settings_dir, str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {
        **os.environ,
        **bench_synth.KEYS,
        **PLAIN_HTTP,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench_pages_settings",
        "PYTHONPATH": path.rstrip(os.pathsep),
    }


def exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


def build(size: int, seed: int, name: str, env: dict[str, str]) -> None:
    started = time.perf_counter()
    bench_synth.postgres(SERVER, name)
    migrate = [str(BIN / "doorway"), "migrate", "--noinput", "-v0", "--skip-checks"]
    subprocess.run(migrate, env=env, check=True)  # noqa: S603 - our own command
    synth = [str(BIN / "doorway"), "synth", "--participants", str(size), "--seed", str(seed)]
    subprocess.run([*synth, "--skip-checks"], env=env, check=True, capture_output=True)  # noqa: S603
    print(f"  built {name} in {time.perf_counter() - started:.0f} s")


def migrate_if_behind(name: str, env: dict[str, str]) -> None:
    plan = subprocess.run(  # noqa: S603 - our own command
        [str(BIN / "doorway"), "migrate", "--plan", "--skip-checks"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    if "No planned migration operations" not in plan.stdout:
        started = time.perf_counter()
        migrate = [str(BIN / "doorway"), "migrate", "--noinput", "-v0", "--skip-checks"]
        subprocess.run(migrate, env=env, check=True)  # noqa: S603 - our own command
        print(f"  migrated {name} in {time.perf_counter() - started:.0f} s")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# --- the child: one database, one server --------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sign_in(base: str, username: str, password: str, secret: str | None = None) -> Any:
    """A session signed in through the sign-in form, and through its code step with the
    authenticator app's code when she has one (`secret`)."""
    import requests
    from allauth.mfa import app_settings
    from django.urls import reverse

    from doorway.testing.signin import totp_code

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
    code_step = reverse("mfa_authenticate")
    if answer.url.endswith(code_step):
        if secret is None:
            raise SystemExit(f"{username} was asked for a code, and no secret is known")
        # A code made in the last second of its window would arrive in the next one.
        left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
        if left < 1:
            time.sleep(left)
        answer = session.post(
            base + code_step,
            data={"code": totp_code(secret), "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": base + code_step},
            timeout=60,
        )
        answer.raise_for_status()
    if session.get(f"{base}/tokens/", allow_redirects=False, timeout=60).status_code != 200:
        raise SystemExit(f"could not sign in as {username}")
    return session


def measure(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    from doorway.api.tokens import issue_token, revoke_token
    from doorway.enrolments.models import Enrolment
    from doorway.people.models import User
    from doorway.testing.signin import give_totp

    worker = User.objects.get(username=CASE_MANAGER)
    manager = User.objects.get(username=PROGRAM_MANAGER)
    mine = (
        Enrolment.objects.open()
        .filter(case_manager=worker)
        .select_related("participant", "cycle__program")
        .order_by("participant__code")
        .first()
    )
    if mine is None:
        raise SystemExit(f"{CASE_MANAGER} has no open enrolment")
    participant, program = mine.participant, mine.cycle.program
    surname = participant.preferred_name.split()[-1]  # sent in the POST only, never shown
    # A token needs a second factor, for demo accounts too: she sets up an authenticator
    # app (allauth's TOTP and recovery codes, as its activation page does) unless she
    # has one from an earlier run on this database, and signs in with its code.
    secret = give_totp(worker, secret=generate_totp_secret())
    access, token = issue_token(worker, name="bench pages", scope="read", days=1)
    try:
        return _measure(args, worker, manager, participant, program, surname, secret, token)
    finally:
        # Revoked at the end of the run, as a script done with its token should: the
        # minimal page lists her tokens in use, and would grow by one with every run.
        revoke_token(access)


def _measure(
    args: argparse.Namespace,
    worker: Any,
    manager: Any,
    participant: Any,
    program: Any,
    surname: str,
    secret: str,
    token: str,
) -> int:
    import requests
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from doorway.demo import DEMO_PASSWORD

    api = {"Authorization": f"Bearer {token}"}

    # (label, who, method, path, form data, headers)
    pages: list[tuple[str, str, str, str, dict[str, str] | None, dict[str, str]]] = [
        ("minimal (/tokens/)", "worker", "GET", "/tokens/", None, {}),
        # The same server's floor for a stranger: the sign-in page, no session.
        (ANONYMOUS, "anonymous", "GET", "/accounts/login/", None, {}),
        ("caseload", "worker", "GET", "/caseload/", None, {}),
        ("caseload (manager)", "manager", "GET", "/caseload/", None, {}),
        ("participant", "worker", "GET", f"/participants/{participant.pk}/", None, {}),
        ("search (POST)", "worker", "POST", "/participants/", {"q": surname}, {}),
        ("evaluation", "manager", "GET", f"/evaluation/{program.slug}/", None, {}),
        ("API contacts", "token", "GET", "/api/v1/contacts/", None, api),
        ("API participants", "token", "GET", "/api/v1/participants/", None, api),
    ]

    if args.pages:
        wanted = {w.lower() for w in args.pages}
        pages = [p for i, p in enumerate(pages) if i < 2 or p[0].split()[0].lower() in wanted]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own server, on loopback
        [
            str(BIN / "gunicorn"),
            "doorway.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "600",
            "--log-level",
            "warning",
        ],
        env=os.environ.copy(),
    )
    timings: dict[str, list[float]] = {label: [] for label, *_ in pages}
    errors: dict[str, int] = {label: 0 for label, *_ in pages}
    # The evaluation page shows the report the worker keeps (evaluation/snapshots.py):
    # dropped here, the first (untimed) request counts it, and its count time is printed.
    from doorway.evaluation.models import ReportSnapshot

    ReportSnapshot.objects.filter(program=program).delete()
    try:
        for _ in range(120):
            try:
                requests.get(f"{base}/accounts/login/", timeout=5)
                break
            except (requests.ConnectionError, requests.Timeout):  # still starting
                time.sleep(0.5)
        sessions = {
            "worker": sign_in(base, CASE_MANAGER, DEMO_PASSWORD, secret),
            "manager": sign_in(base, PROGRAM_MANAGER, DEMO_PASSWORD),
            "token": requests.Session(),
            "anonymous": requests.Session(),
        }

        def fetch(who: str, method: str, path: str, data: Any, headers: dict[str, str]) -> Any:
            session = sessions[who]
            if method == "POST":
                headers = {**headers, "X-CSRFToken": session.cookies["csrftoken"]}
            return session.request(
                method, base + path, data=data, headers=headers, allow_redirects=False, timeout=600
            )

        # A slow page is warmed less and timed fewer times: once it has --min-requests
        # timings and has taken --budget seconds, its turn is skipped.
        warmed = dict.fromkeys(timings, 0.0)
        for _ in range(args.warm):
            for label, who, method, path, data, headers in pages:
                if warmed[label] > args.budget / 5:
                    continue
                started = time.perf_counter()
                fetch(who, method, path, data, headers)
                warmed[label] += time.perf_counter() - started
        for _ in range(args.requests):
            for label, who, method, path, data, headers in pages:
                done = timings[label]
                if len(done) >= args.min_requests and sum(done) > args.budget:
                    continue
                started = time.perf_counter()
                answer = fetch(who, method, path, data, headers)
                _ = answer.content
                done.append(time.perf_counter() - started)
                if answer.status_code != 200:
                    errors[label] += 1
    finally:
        server.terminate()
        server.wait(timeout=30)

    # The queries each page runs, counted in this process against the same database.
    clients = {"worker": Client(), "manager": Client(), "token": Client(), "anonymous": Client()}
    clients["worker"].force_login(worker)
    clients["manager"].force_login(manager)
    queries: dict[str, int] = {}
    for label, who, method, path, data, headers in pages:
        client = clients[who]
        call = client.post if method == "POST" else client.get
        call(path, data or {}, headers=headers)  # warm: first-use caches
        with CaptureQueriesContext(connection) as captured:
            answer = call(path, data or {}, headers=headers)
        if answer.status_code != 200:
            errors[label] += 1
        if label.startswith("search") and participant.code not in answer.content.decode():
            raise SystemExit("the search did not find the participant it was given")
        queries[label] = len(captured)
        if args.plans:
            explain(label, captured.captured_queries, args.plans, hide=surname)

    counted = ReportSnapshot.objects.filter(program=program, published=False).first()
    rows = []
    for label, *_ in pages:
        values = timings[label]
        rows.append(
            {
                "page": label,
                "n": len(values),
                "median": statistics.median(values) * 1000,
                "p95": percentile(values, 0.95) * 1000,
                "queries": queries[label],
                "errors": errors[label],
                **(
                    {"counted_s": counted.seconds}
                    if label == "evaluation" and counted is not None
                    else {}
                ),
            }
        )
    print(json.dumps(rows))
    return 0


def explain(label: str, captured: list[dict[str, str]], top: int, hide: str) -> None:
    """The `top` slowest reads of a page, with their plans, on standard error."""
    from django.db import connection

    reads = [q for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]
    reads.sort(key=lambda q: -float(q["time"]))
    for query in reads[:top]:
        sql = query["sql"]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(f"      {line}" for (line,) in cursor.fetchall())
        text = f"  [{label}] {float(query['time']) * 1000:.1f} ms: {sql[:600]}\n{plan}"
        text = text.replace(hide, "<name>").replace(hide.upper(), "<name>")
        print(text, file=sys.stderr, flush=True)


# --- the parent: a database per size, and the tables --------------------------------


def report(size: str, rows: list[dict[str, Any]]) -> None:
    base = rows[0]["p95"]
    print(f"\n{size} participants")
    print(
        f"  {'page':<20} {'n':>3} {'median ms':>10} {'p95 ms':>9} {'p95 ratio':>10} {'queries':>8}"
    )
    for row in rows:
        errors = f"  {row['errors']} errors" if row["errors"] else ""
        print(
            f"  {row['page']:<20} {row['n']:>3} {row['median']:>10.1f} {row['p95']:>9.1f} "
            f"{row['p95'] / base:>9.1f}x {row['queries']:>8}{errors}"
        )
    for row in rows:
        if "counted_s" in row:
            print(
                f"  {row['page']}: its report counted in {row['counted_s']:.2f} s by the first "
                "(untimed) request and kept; the timed requests show the kept report"
            )
    anonymous = next((row for row in rows if row["page"] == ANONYMOUS), None)
    if anonymous is not None:
        floor = rows[0]["median"] / anonymous["median"]
        print(f"  signed-in floor: minimal median / anonymous median = {floor:.2f} (target <= 2)")


def run_child(args: argparse.Namespace, env: dict[str, str]) -> list[dict[str, Any]]:
    command = [sys.executable, __file__, "--child", "--requests", str(args.requests)]
    command += ["--warm", str(args.warm), "--budget", str(args.budget)]
    command += ["--plans", str(args.plans), *(["--pages", *args.pages] if args.pages else [])]
    done = subprocess.run(  # noqa: S603 - this script, our own arguments
        [*command, "--min-requests", str(args.min_requests)],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    result: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warm", type=int, default=5, help="untimed requests per page first")
    parser.add_argument(
        "--budget", type=float, default=20, help="seconds of timed requests per page, about"
    )
    parser.add_argument(
        "--min-requests", type=int, default=10, help="timed requests of a page over budget"
    )
    parser.add_argument(
        "--pages", nargs="*", help="only these pages (first word of the label), and minimal"
    )
    parser.add_argument(
        "--plans", type=int, default=0, help="print each page's N slowest queries and plans"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases made")
    parser.add_argument("--reuse", action="store_true", help="use a database already made")
    parser.add_argument("--reuse-100k", action="store_true", help=f"also measure {KEPT_100K}")
    parser.add_argument("--database", action="append", default=[], help="a PostgreSQL database")
    parser.add_argument(
        "--no-migrate", action="store_true", help="leave a kept database's schema as it is"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return measure(args)

    load = os.getloadavg()
    print(
        f"bench/pages.py on {platform.node()}: {os.cpu_count()} CPUs, "
        f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, Python {platform.python_version()}, "
        f"PostgreSQL at {SERVER.split('@')[-1]}, gunicorn 1 sync worker, "
        f"{args.warm} warm-up + {args.requests} timed requests per page "
        f"(at least {args.min_requests} once a page has taken {args.budget:.0f} s)"
    )
    with tempfile.TemporaryDirectory() as settings_dir:
        settings = SETTINGS.replace("STATIC_ROOT_HERE", repr(settings_dir))
        (Path(settings_dir) / "bench_pages_settings.py").write_text(settings)
        targets = [(f"{size:,}", f"doorway_bench_pages_{size}", size) for size in args.sizes]
        targets += [(name, name, 0) for name in args.database]
        if args.reuse_100k:
            targets.append(("100,000 (kept)", KEPT_100K, 0))
        for label, name, size in targets:
            env = environment(f"{SERVER}/{name}", settings_dir)
            made = False
            if size and not (args.reuse and exists(name)):
                build(size, args.seed, name, env)
                made = True
            elif not args.no_migrate:
                migrate_if_behind(name, env)
            try:
                report(label, run_child(args, env))
            finally:
                if made and not args.keep:
                    bench_synth.postgres(SERVER, name, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

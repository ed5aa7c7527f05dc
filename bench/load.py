"""Throughput and errors of a bounded concurrent load on loopback, with locust.

    .venv/bin/python bench/load.py --database doorway_bench_synth_10000
    .venv/bin/python bench/load.py --participants 1000          # builds, then drops
    .venv/bin/python bench/load.py --database doorway_bench_synth_100000 --users 20 --seconds 60

The database is a kept one (--database, migrated first if it is behind, unless
--no-migrate) or one built for the run (--participants N: `doorway_bench_load_<N>`,
made as bench/pages.py makes its own, dropped again unless --keep). The app runs under
gunicorn on loopback with the production settings apart from plain-HTTP cookies
(bench/pages.py's settings and throw-away keys, DOORWAY_DEMO on), --workers processes
of --threads threads each (one thread: sync workers; more: gthread).

A child process holding the database's settings picks the simulated staff and issues
each case manager a read token with `doorway.api.tokens.issue_token`: the synth's case
managers who hold open enrolments, one per simulated user, by name (`edh1-cm0001`,
`edh1-cm0002`, ..., then the other programs' `edh2-cm0001`, ...; a small deployment
has fewer, and then some are signed in twice), and the program manager `edh1-manager`.
Then another child runs locust headless as a library, --users users (one of them the
program manager) started at --spawn-rate a second, for --seconds seconds from the
first start. Each signs in through the sign-in form with the demo password; a case
manager, who needs a second factor for her token, was given an authenticator app
(kept in the database, reused by later runs) and enters its code at the code step (a
code is taken once, so two simulated users of one account wait for the next one).
Then, waiting --wait-min
to --wait-max seconds between steps:
- a case manager opens her caseload, one of her participants, searches (POSTed) for a
  surname of one of her participants, opens an enrolment, reads the API's participants
  and contacts lists with her token, and now and then records a contact through the
  contact form (CSRF token from the form; a write, so the run is not read-only), and
  sometimes the minimal page `/tokens/` (the time an answer waits in the server's
  queue, next to no work of its own);
- the program manager opens the team caseload page and her caseload page.
Sign-in, the contact recorded and the audit entries of every page are written into
the database: nothing else is.

It prints requests per second overall and per page, the median and 95th percentile
per page, and the errors (an answer other than 2xx/3xx, a redirect to the sign-in
page, a refused form, or an exception) with their messages. Nothing is asserted.
Every child (gunicorn, locust) is stopped when the run ends, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import math
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"

_spec = importlib.util.spec_from_file_location("bench_pages", ROOT / "bench" / "pages.py")
if _spec is None or _spec.loader is None:
    raise ImportError("bench/pages.py is missing")
bench_pages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_pages)
bench_synth = bench_pages.bench_synth

SERVER = bench_pages.SERVER
PROGRAM_MANAGER = bench_pages.PROGRAM_MANAGER
# The synth's case managers: `<program>-cm0001` (edh1's first, by name).
CASE_MANAGER_NAME = r"-cm[0-9]{4}$"
REQUEST_TIMEOUT = 60  # seconds; a request slower than this counts as an error


def totp_code(secret: str, period: int, digits: int) -> str:
    """The code her authenticator app shows now (RFC 6238, as allauth checks it): the
    swarm's child may not import Django."""
    import base64
    import hashlib
    import hmac
    import struct

    key = base64.b32decode(secret.encode("ascii"), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // period), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


# --- child 1: who signs in, and what each of them may open ------------------------


def prepare(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from django.db.models import Exists, OuterRef
    from django.urls import reverse

    from doorway.api.tokens import issue_token
    from doorway.demo import DEMO_PASSWORD
    from doorway.enrolments.models import Enrolment
    from doorway.people.models import User
    from doorway.people.roles import Role
    from doorway.testing.signin import give_totp

    open_ones = Enrolment.objects.open()
    workers = list(
        User.objects.filter(
            role=Role.CASE_MANAGER, is_active=True, username__regex=CASE_MANAGER_NAME
        )
        .filter(Exists(open_ones.filter(case_manager=OuterRef("pk"))))
        .order_by("username")[: args.case_managers]
    )
    if not workers:
        raise SystemExit("no case manager with open enrolments")
    if len(workers) < args.case_managers:
        # A small deployment: some of them are signed in twice (two browsers).
        print(
            f"  {args.case_managers} simulated case managers share the "
            f"{len(workers)} who hold open enrolments",
            file=sys.stderr,
        )
    plan: dict[str, Any] = {
        "manager": PROGRAM_MANAGER,
        "password": DEMO_PASSWORD,
        "code_step": reverse("mfa_authenticate"),
        "totp_period": app_settings.TOTP_PERIOD,
        "totp_digits": app_settings.TOTP_DIGITS,
        "case_managers": [],
    }
    for worker in workers:
        mine = list(
            open_ones.filter(case_manager=worker)
            .select_related("participant")
            .order_by("participant__code")[:20]
        )
        # A token needs a second factor, demo accounts included: she sets up an
        # authenticator app (reused from an earlier run on this database), and signs in
        # with its code.
        secret = give_totp(worker, secret=generate_totp_secret())
        _, token = issue_token(worker, name="bench load", scope="read", days=1)
        plan["case_managers"].append(
            {
                "username": worker.username,
                "secret": secret,
                "token": token,
                "participants": [str(e.participant_id) for e in mine],
                "enrolments": [str(e.pk) for e in mine],
                # Sent in the search's POST only, never printed.
                "surnames": [e.participant.preferred_name.split()[-1] for e in mine],
            }
        )
    Path(args.plan).write_text(json.dumps(plan))
    return 0


# --- child 2: the swarm ----------------------------------------------------------------


def swarm(args: argparse.Namespace) -> int:
    # locust patches the standard library for gevent when imported: only in this child,
    # which never touches Django or the database.
    import gevent
    from locust import HttpUser, between, events, task
    from locust.env import Environment

    plan = json.loads(Path(args.plan).read_text())
    case_managers = itertools.cycle(plan["case_managers"])
    csrf_field = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    first_kind = re.compile(r'<select name="kind"[^>]*>.*?<option value="([^"]+)"', re.S)
    # The form's own date: today where the server is.
    today_field = re.compile(r'<input[^>]*name="happened_on"[^>]*value="([^"]+)"')

    class Staff(HttpUser):
        abstract = True
        wait_time = between(args.wait_min, args.wait_max)
        network_timeout = float(REQUEST_TIMEOUT)
        connection_timeout = float(REQUEST_TIMEOUT)
        username = ""

        secret: str | None = None

        def sign_in(self) -> None:
            self.client.get("/accounts/login/", name="sign-in form")
            token = self.client.cookies.get("csrftoken", "")
            with self.client.post(
                "/accounts/login/",
                data={
                    "login": self.username,
                    "password": plan["password"],
                    "csrfmiddlewaretoken": token,
                },
                headers={"Referer": f"{self.host}/accounts/login/"},
                name="sign-in (POST)",
                allow_redirects=False,
                catch_response=True,
            ) as answer:
                where = answer.headers.get("Location", "")
                if answer.status_code == 302 and where.endswith(plan["code_step"]):
                    answer.success()
                elif answer.status_code != 302 or "/accounts/" in where:
                    answer.failure(f"sign-in not accepted ({answer.status_code})")
                    return
                else:
                    return
            self.enter_code()

        def enter_code(self) -> None:
            """The code step, with her authenticator app's code. A code is taken once:
            two simulated users of one account wait for the next one."""
            period = plan["totp_period"]
            for _attempt in range(3):
                left = period - time.time() % period
                if left < 1:  # made in its window's last second, it would arrive late
                    gevent.sleep(left)
                with self.client.post(
                    plan["code_step"],
                    data={
                        "code": totp_code(self.secret or "", period, plan["totp_digits"]),
                        "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
                    },
                    headers={"Referer": f"{self.host}{plan['code_step']}"},
                    name="sign-in code (POST)",
                    allow_redirects=False,
                    catch_response=True,
                ) as answer:
                    if answer.status_code == 302 and "/accounts/" not in answer.headers.get(
                        "Location", ""
                    ):
                        return
                    answer.success()  # a refused code is retried, not counted
                gevent.sleep(period - time.time() % period + 0.5)
            events.request.fire(
                request_type="POST",
                name="sign-in code (POST)",
                response_time=0,
                response_length=0,
                exception=RuntimeError("no code accepted in three windows"),
                context={},
            )

        def page(self, path: str, name: str, **kwargs: Any) -> Any:
            """A page; a redirect to the sign-in page is an error (the session was lost)."""
            method = kwargs.pop("method", "GET")
            with self.client.request(
                method, path, name=name, allow_redirects=False, catch_response=True, **kwargs
            ) as answer:
                if "/accounts/login/" in answer.headers.get("Location", ""):
                    answer.failure("sent to the sign-in page")
                return answer

    class CaseManager(Staff):
        def on_start(self) -> None:
            mine = next(case_managers)
            self.username = mine["username"]
            self.secret = mine["secret"]
            self.token = mine["token"]
            self.items = list(zip(mine["participants"], mine["enrolments"], strict=True))
            self.surnames = mine["surnames"]
            self.turn = 0
            self.sign_in()

        def next_item(self) -> tuple[str, str]:
            self.turn += 1
            return self.items[self.turn % len(self.items)]

        @task(1)
        def minimal(self) -> None:
            # The lightest signed-in page (bench/pages.py's baseline): the wait in the
            # server's queue, with next to no work.
            self.page("/tokens/", "minimal (/tokens/)")

        @task(4)
        def caseload(self) -> None:
            self.page("/caseload/", "caseload")

        @task(4)
        def participant(self) -> None:
            participant, _ = self.next_item()
            self.page(f"/participants/{participant}/", "participant")

        @task(2)
        def search(self) -> None:
            surname = self.surnames[self.turn % len(self.surnames)]
            self.page(
                "/participants/",
                "search (POST)",
                method="POST",
                data={"q": surname},
                headers={"X-CSRFToken": self.client.cookies.get("csrftoken", "")},
            )

        @task(2)
        def enrolment(self) -> None:
            _, enrolment = self.next_item()
            self.page(f"/enrolments/{enrolment}/", "enrolment")

        @task(2)
        def api_participants(self) -> None:
            headers = {"Authorization": f"Bearer {self.token}"}
            self.page("/api/v1/participants/", "API participants", headers=headers)

        @task(2)
        def api_contacts(self) -> None:
            headers = {"Authorization": f"Bearer {self.token}"}
            self.page("/api/v1/contacts/", "API contacts", headers=headers)

        @task(1)
        def record_contact(self) -> None:
            _, enrolment = self.next_item()
            path = f"/enrolments/{enrolment}/contacts/new/"
            form = self.page(path, "contact form")
            token = csrf_field.search(form.text or "")
            kind = first_kind.search(form.text or "")
            today = today_field.search(form.text or "")
            if form.status_code != 200:
                return  # counted already
            if token is None or kind is None or today is None:
                events.request.fire(
                    request_type="POST",
                    name="contact record (POST)",
                    response_time=0,
                    response_length=0,
                    exception=ValueError("the contact form has no CSRF token, kind or date"),
                    context={},
                )
                return
            with self.client.post(
                path,
                data={
                    "csrfmiddlewaretoken": token.group(1),
                    "happened_on": today.group(1),
                    "duration_minutes": "30",
                    "kind": kind.group(1),
                    "note": "Load run: a check-in by phone.",
                },
                headers={"Referer": f"{self.host}{path}"},
                name="contact record (POST)",
                allow_redirects=False,
                catch_response=True,
            ) as answer:
                if answer.status_code == 200:
                    answer.failure("the contact form was refused")
                elif "/accounts/login/" in answer.headers.get("Location", ""):
                    answer.failure("sent to the sign-in page")

    class ProgramManager(Staff):
        fixed_count = 1
        username = plan["manager"]

        def on_start(self) -> None:
            self.sign_in()

        @task(3)
        def team(self) -> None:
            self.page("/caseload/team/", "team caseload (manager)")

        @task(1)
        def caseload(self) -> None:
            self.page("/caseload/", "caseload (manager)")

    environment = Environment(user_classes=[CaseManager, ProgramManager], events=events)
    environment.host = args.host
    runner = environment.create_local_runner()
    started = time.perf_counter()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    gevent.spawn_later(args.seconds, runner.quit)
    runner.greenlet.join()
    elapsed = time.perf_counter() - started

    stats = environment.stats
    rows = []
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        rows.append(
            {
                "page": entry.name,
                "n": entry.num_requests,
                "errors": entry.num_failures,
                "median": entry.get_response_time_percentile(0.5),
                "p95": entry.get_response_time_percentile(0.95),
            }
        )
    errors = [
        {"page": e.name, "method": e.method, "error": str(e.error), "n": e.occurrences}
        for e in stats.errors.values()
    ]
    print(json.dumps({"seconds": elapsed, "rows": rows, "errors": errors}))
    return 0


# --- the parent: the database, the server, the children, the table -------------------


def stop(process: subprocess.Popen[Any] | None) -> None:
    """Stop a child and everything it started (each child leads its own group)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def report(result: dict[str, Any]) -> None:
    seconds = result["seconds"]
    rows = result["rows"]
    total = sum(r["n"] for r in rows)
    failed = sum(r["errors"] for r in rows)
    print(f"\n  {total} requests in {seconds:.0f} s: {total / seconds:.1f} requests/s overall")
    print(f"  {'page':<26} {'n':>6} {'req/s':>7} {'median ms':>10} {'p95 ms':>9} {'errors':>7}")
    for r in rows:
        print(
            f"  {r['page']:<26} {r['n']:>6} {r['n'] / seconds:>7.2f} "
            f"{r['median']:>10.0f} {r['p95']:>9.0f} {r['errors']:>7}"
        )
    print(f"\n  errors: {failed}")
    for e in sorted(result["errors"], key=lambda e: -e["n"]):
        print(f"    {e['n']:>5} x {e['method']} {e['page']}: {e['error'][:200]}")


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f} {five:.1f} {fifteen:.1f}"


def run(args: argparse.Namespace, env: dict[str, str], folder: str) -> dict[str, Any]:
    plan = str(Path(folder) / "plan.json")
    me = [sys.executable, __file__]
    children: list[subprocess.Popen[Any]] = []

    def child(command: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
        started = subprocess.Popen(command, env=env, start_new_session=True, **kwargs)  # noqa: S603
        children.append(started)
        return started

    try:
        preparing = child([*me, "--prepare", plan, "--users", str(args.users)])
        if preparing.wait(timeout=300) != 0:
            raise SystemExit("could not pick the simulated staff")
        os.chmod(plan, 0o600)  # tokens and surnames; the folder goes at the end

        port = bench_pages.free_port()
        host = f"http://127.0.0.1:{port}"
        server = [str(BIN / "gunicorn"), "doorway.wsgi:application"]
        server += ["--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
        if args.threads > 1:
            server += ["--worker-class", "gthread", "--threads", str(args.threads)]
            # gthread keeps connections open (sync workers close each). A browser sends a
            # request again when the server closed its idle connection just as it was
            # reused; requests does not, and counts a reset: so the server keeps idle
            # connections well past a user's wait between steps on a busy machine.
            keep_alive = max(30, math.ceil(args.wait_max * 4))
            server += ["--keep-alive", str(keep_alive)]
        server += ["--timeout", str(REQUEST_TIMEOUT * 2), "--log-level", "warning"]
        gunicorn = child(server)
        import requests

        for _ in range(120):
            try:
                requests.get(f"{host}/accounts/login/", timeout=30)
                break
            except requests.RequestException:  # not listening yet, or still loading
                if gunicorn.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.5)

        command = [*me, "--swarm", plan, "--host", host, "--users", str(args.users)]
        command += ["--spawn-rate", str(args.spawn_rate), "--seconds", str(args.seconds)]
        command += ["--wait-min", str(args.wait_min), "--wait-max", str(args.wait_max)]
        swarming = child(command, stdout=subprocess.PIPE, text=True)
        # The swarm stops itself after --seconds; a request in flight may add its timeout.
        out, _ = swarming.communicate(timeout=args.seconds + REQUEST_TIMEOUT + 60)
        if swarming.returncode != 0:
            raise SystemExit("the locust run failed")
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return result
    finally:
        for started in reversed(children):
            stop(started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database", help="a kept database, e.g. doorway_bench_synth_10000")
    where.add_argument("--participants", type=int, help="build doorway_bench_load_<N> first")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database built")
    parser.add_argument(
        "--no-migrate",
        action="store_true",
        help="leave a kept database's schema as it is (a working tree shared with others)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads a worker (>1: gthread)")
    parser.add_argument("--users", type=int, default=20, help="simulated staff, one a manager")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started a second")
    parser.add_argument("--seconds", type=int, default=60, help="length of the run")
    parser.add_argument("--wait-min", type=float, default=0.5, help="seconds between steps")
    parser.add_argument("--wait-max", type=float, default=2.0)
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument("--swarm", help=argparse.SUPPRESS)
    parser.add_argument("--host", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.users < 2:
        parser.error("--users needs at least 2: a case manager and the manager")
    args.case_managers = args.users - 1
    if args.prepare:
        args.plan = args.prepare
        return prepare(args)
    if args.swarm:
        args.plan = args.swarm
        return swarm(args)
    if not (args.database or args.participants):
        parser.error("give --database or --participants")

    # Ctrl-C, or a plain kill, ends the run the same way: the children are stopped. (A
    # shell may start this with SIGINT ignored, in the background.)
    def interrupted(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    name = args.database or f"doorway_bench_load_{args.participants}"
    threads = f"{args.threads} threads each (gthread)" if args.threads > 1 else "sync"
    print(
        f"bench/load.py on {platform.node()}: {os.cpu_count()} CPUs, {load_average()}, "
        f"Python {platform.python_version()}, PostgreSQL at {SERVER.split('@')[-1]}, "
        f"database {name}, gunicorn {args.workers} workers ({threads}), "
        f"{args.users} users (1 program manager) at {args.spawn_rate:g}/s for {args.seconds} s, "
        f"{args.wait_min:g}-{args.wait_max:g} s between steps"
    )
    made = False
    with tempfile.TemporaryDirectory() as folder:
        settings = bench_pages.SETTINGS.replace("STATIC_ROOT_HERE", repr(folder))
        (Path(folder) / "bench_pages_settings.py").write_text(settings)
        env = bench_pages.environment(f"{SERVER}/{name}", folder)
        try:
            if args.participants:
                bench_pages.build(args.participants, args.seed, name, env)
                made = True
            elif not bench_pages.exists(name):
                raise SystemExit(f"no database {name}")
            elif not args.no_migrate:
                bench_pages.migrate_if_behind(name, env)
            result = run(args, env, folder)
            print(f"  after the run: {load_average()}")
            report(result)
        except KeyboardInterrupt:
            print("\ninterrupted: the children are stopped", file=sys.stderr)
            return 130
        finally:
            if made and not args.keep:
                bench_synth.postgres(SERVER, name, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The production setup in deploy/, started on loopback as systemd would start it (but
without systemd): gunicorn from deploy/gunicorn.conf.py and the worker from the units'
ExecStart lines, with the settings of an env file like /etc/doorway/doorway.env, behind
nginx with deploy/nginx/doorway.conf (its host name, ports, certificate and log paths
put to this test's own, nothing else changed) and a throw-away self-signed certificate,
against a fresh database (SQLite, or a new PostgreSQL database when DATABASE_URL names
a PostgreSQL server).

It serves over TLS; readiness answers 503 until a worker is alive and 200 after; a
task queued is run; a worker killed with SIGKILL and started again (as Restart=always
would) finishes the task it held; on PostgreSQL, every connection of the app terminated
by the server (pg_terminate_backend, standing in for a restart: the shared server other
tests use is never restarted) is survived by the worker and the web; the logs hold no
query string; and SIGTERM stops all three cleanly.

Needs nginx and openssl: skipped without them, failed instead when
DOORWAY_REQUIRE_NGINX is set (.ci/run installs them and sets it).
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
# Generous: the machine may be busy with the rest of the suite.
PATIENCE = 90.0

MISSING = [
    tool
    for tool in ("nginx", "openssl")
    if shutil.which(tool, path=os.defpath + ":/usr/sbin") is None
]
if MISSING and os.environ.get("DOORWAY_REQUIRE_NGINX"):
    raise RuntimeError(f"DOORWAY_REQUIRE_NGINX is set but {', '.join(MISSING)} is missing")
pytestmark = pytest.mark.skipif(
    bool(MISSING),
    reason=f"{' and '.join(MISSING)} not installed (apt-get install nginx-light openssl)",
)


def tool(name: str) -> str:
    found = shutil.which(name, path=os.defpath + ":/usr/sbin")
    assert found is not None
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def exec_start(unit: str) -> list[str]:
    """The unit's command, with /srv/doorway read as this checkout."""
    for line in (DEPLOY / "systemd" / unit).read_text().splitlines():
        if line.startswith("ExecStart="):
            command = line.removeprefix("ExecStart=")
            command = command.replace("/srv/doorway/.venv/bin/", f"{VENV_BIN}/")
            return shlex.split(command.replace("/srv/doorway/", f"{ROOT}/"))
    raise AssertionError(f"{unit} has no ExecStart")


def replaced(text: str, changes: dict[str, str]) -> str:
    for old, new in changes.items():
        assert old in text, f"deploy/nginx/doorway.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


def name(proc: subprocess.Popen[bytes]) -> str:
    return Path(str(proc.args[0] if isinstance(proc.args, list) else proc.args)).name


def wait_for(what: str, ready: Callable[[], bool], procs: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not ready():
        for proc in procs:
            assert proc.poll() is None, f"{name(proc)} exited ({proc.returncode}) before {what}"
        assert time.monotonic() < deadline, f"no {what} after {PATIENCE:.0f} s"
        time.sleep(0.2)


@dataclass
class Database:
    url: str
    admin_url: str | None = None  # PostgreSQL: the server's maintenance database
    name: str = ""

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.admin_url is None:
            with sqlite3.connect(urlsplit(self.url).path[1:], timeout=20) as db:
                rows = db.execute(sql).fetchall()
            return rows
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as db:
            cursor = db.execute(sql.encode())
            return cursor.fetchall() if cursor.description else []

    def admin(self, sql: str) -> None:
        import psycopg

        assert self.admin_url is not None
        with psycopg.connect(self.admin_url, autocommit=True) as db:
            db.execute(sql.encode())


@dataclass
class Setup:
    folder: Path
    env: dict[str, str]
    database: Database
    https: str
    http: str
    context: ssl.SSLContext
    web: subprocess.Popen[bytes] | None = None
    nginx: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, command: list[str], log: str, **env: str) -> subprocess.Popen[bytes]:
        out = (self.folder / log).open("ab")
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env={**self.env, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def doorway(self, *args: str) -> str:
        done = subprocess.run(
            [str(VENV_BIN / "doorway"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=PATIENCE * 2,
            check=False,
        )
        assert done.returncode == 0, f"doorway {args[0]}: {done.stdout}\n{done.stderr}"
        return done.stdout

    def start_worker(self) -> subprocess.Popen[bytes]:
        worker = self.start(exec_start("doorway-worker.service"), "worker.log")
        self.workers.append(worker)
        return worker

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        # An https:// address this test built.
        request = urllib.request.Request(self.https + path)  # noqa: S310
        try:
            with NoRedirects.open(request, context=self.context) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def enqueue(self, name: str) -> None:
        self.doorway(
            "shell",
            "-c",
            f"from doorway.tests.setup_chores import {name}; {name}.enqueue({str(self.folder)!r})",
        )

    def processes(self) -> list[subprocess.Popen[bytes]]:
        return [p for p in (self.web, self.nginx, *self.workers) if p is not None]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class NoRedirects:
    @staticmethod
    def open(request: urllib.request.Request, context: ssl.SSLContext) -> Any:
        opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context), _NoRedirect()
        )
        return opener.open(request, timeout=30)


def fresh_database(folder: Path) -> Iterator[Database]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield Database(url=f"sqlite:///{folder / 'doorway.sqlite3'}")
        return
    name = f"doorway_setup_{os.getpid()}"
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    database = Database(
        url=urlunsplit(parts._replace(path=f"/{name}")), admin_url=admin_url, name=name
    )
    database.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    database.admin(f'CREATE DATABASE "{name}"')
    try:
        yield database
    finally:
        database.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def certificate(folder: Path) -> Path:
    certs = folder / "certs"
    certs.mkdir()
    subprocess.run(
        [
            tool("openssl"),
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(certs / "privkey.pem"),
            "-out",
            str(certs / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return certs


def nginx_config(folder: Path, certs: Path, https: int, http: int, web: int) -> Path:
    site = replaced(
        (DEPLOY / "nginx" / "doorway.conf").read_text(),
        {
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
            "    listen [::]:443 ssl http2;\n": "",
            "listen 80;": f"listen 127.0.0.1:{http};",
            "    listen [::]:80;\n": "",
            "/etc/letsencrypt/live/doorway.example.org/": f"{certs}/",
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{web};",
            "/var/log/nginx/": f"{folder}/",
            "/var/www/letsencrypt": str(folder / "acme"),
            "doorway.example.org": "localhost",
        },
    )
    (folder / "site.conf").write_text(site)
    temp = folder / "nginx-temp"
    temp.mkdir()
    main = folder / "nginx.conf"
    # What Debian's /etc/nginx/nginx.conf would give; as root, its workers stay root
    # so that they can write into this test's folder.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    main.write_text(
        f"""{user}daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-main.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/site.conf;
}}
"""
    )
    return main


def port_open(port: int) -> Callable[[], bool]:
    def answering() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    return answering


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    folder = tmp_path_factory.mktemp("production")
    databases = fresh_database(folder)
    database = next(databases)
    env_file = folder / "doorway.env"
    env_file.write_text(
        "\n".join(
            [
                f"DOORWAY_SECRET_KEY={secrets.token_urlsafe(50)}",
                f"DOORWAY_FIELD_KEYS={Fernet.generate_key().decode()}",
                f"DOORWAY_BLIND_INDEX_KEY={secrets.token_urlsafe(32)}",
                f"DOORWAY_AUDIT_KEY={secrets.token_urlsafe(32)}",
                f"DATABASE_URL={database.url}",
                "DOORWAY_ALLOWED_HOSTS=localhost",
                "DOORWAY_BEHIND_PROXY=true",
                "DOORWAY_TRUSTED_PROXY_COUNT=1",
                f"DOORWAY_AUDIT_CHECKPOINTS={folder / 'checkpoints'}",
                f"DOORWAY_STATIC_ROOT={folder / 'static'}",
                # Compressing every file takes minutes; the files are the same.
                "DOORWAY_COMPRESS_STATIC=false",
                "",
            ]
        )
    )
    # As the units give it: the env file and nothing of this test's own settings.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DOORWAY_", "DJANGO_", "DATABASE_URL", "PYTEST_", "COV_"))
    }
    env["DOORWAY_ENV_FILE"] = str(env_file)
    env["DOORWAY_WEB_WORKERS"] = "2"
    context = ssl.create_default_context(cafile=str(certificate(folder) / "fullchain.pem"))
    ports = {"https": free_port(), "http": free_port(), "web": free_port()}
    env["DOORWAY_BIND"] = f"127.0.0.1:{ports['web']}"
    setup = Setup(
        folder=folder,
        env=env,
        database=database,
        https=f"https://localhost:{ports['https']}",
        http=f"http://localhost:{ports['http']}",
        context=context,
    )
    try:
        collect = subprocess.Popen(
            [str(VENV_BIN / "doorway"), "collectstatic", "--noinput", "--verbosity=0"],
            cwd=ROOT,
            env=env,
        )
        setup.doorway("migrate", "--noinput", "--verbosity=0")
        assert collect.wait(timeout=PATIENCE * 2) == 0
        conf = nginx_config(folder, folder / "certs", ports["https"], ports["http"], ports["web"])
        setup.nginx = setup.start(
            [tool("nginx"), "-p", f"{folder}/", "-e", f"{folder}/nginx-main.log", "-c", str(conf)],
            "nginx.out",
        )
        setup.web = setup.start(
            [
                *exec_start("doorway-web.service"),
            ],
            "web.log",
        )
        wait_for(
            "gunicorn and nginx listening",
            lambda: port_open(ports["web"])() and port_open(ports["https"])(),
            setup.processes(),
        )
        yield setup
    finally:
        for proc in setup.processes():
            stop(proc)
        for _ in databases:
            pass


def status_of(setup: Setup, task: str) -> list[tuple[Any, ...]]:
    # The names are this test's own.
    return setup.database.query(
        "SELECT status FROM django_tasks_database_dbtaskresult "  # noqa: S608
        f"WHERE task_path = 'doorway.tests.setup_chores.{task}'"
    )


def test_the_sign_in_page_is_served_over_tls_as_https(setup: Setup) -> None:
    status, headers, body = setup.get("/accounts/login/?next=/participants/%3Fq%3DZelda")
    assert status == 200, body[:500]
    # Django saw HTTPS (nginx's X-Forwarded-Proto, trusted): no redirect, and HSTS.
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert b"password" in body.lower()


def test_plain_http_is_sent_to_https(setup: Setup) -> None:
    request = urllib.request.Request(setup.http + "/accounts/login/")  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirect())
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(request, timeout=30)
    assert refused.value.code == 301
    assert refused.value.headers["Location"].startswith("https://localhost")


def test_not_ready_without_a_worker_then_ready_with_one(setup: Setup) -> None:
    status, _, body = setup.get("/health/ready")
    assert status == 503, body
    assert b'"worker": {"ok": false' in body
    assert setup.get("/health/live")[0] == 200

    setup.start_worker()
    wait_for(
        "a worker's heartbeat", lambda: setup.get("/health/ready")[0] == 200, setup.processes()
    )
    status, _, body = setup.get("/health/ready")
    assert b'"keys": {"ok": true, "problems": 0}' in body


def test_a_queued_task_is_run_by_the_worker(setup: Setup) -> None:
    setup.enqueue("note_done")
    wait_for("the task run", (setup.folder / "done").exists, setup.processes())
    wait_for(
        "the task recorded",
        lambda: status_of(setup, "note_done") == [("SUCCESSFUL",)],
        setup.processes(),
    )


def test_a_worker_killed_mid_task_is_started_again_and_the_task_finished(setup: Setup) -> None:
    killed = setup.workers[-1]
    setup.enqueue("finish_on_the_second_run")
    wait_for("the task started", (setup.folder / "started").exists, setup.processes())
    os.killpg(killed.pid, signal.SIGKILL)
    assert killed.wait(timeout=30) == -signal.SIGKILL
    setup.workers.remove(killed)
    assert status_of(setup, "finish_on_the_second_run") == [("RUNNING",)]
    # Its lease would run out five minutes later; the test does not wait them out.
    setup.database.query("UPDATE worker_tasklease SET expires_at = '2000-01-01 00:00:00'")

    setup.start_worker()  # what Restart=always does
    wait_for("the task finished", (setup.folder / "finished").exists, setup.processes())
    wait_for(
        "the task recorded",
        lambda: status_of(setup, "finish_on_the_second_run") == [("SUCCESSFUL",)],
        setup.processes(),
    )


def test_every_connection_cut_by_postgresql_is_survived(setup: Setup) -> None:
    if setup.database.admin_url is None:
        pytest.skip("PostgreSQL only (DATABASE_URL naming a PostgreSQL server)")
    (setup.folder / "done").unlink()
    setup.database.admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608
        f"WHERE datname = '{setup.database.name}' AND pid <> pg_backend_pid()"
    )
    setup.enqueue("note_done")
    wait_for("the task run after the cut", (setup.folder / "done").exists, setup.processes())
    wait_for("ready again", lambda: setup.get("/health/ready")[0] == 200, setup.processes())


def test_the_logs_hold_no_query_string(setup: Setup) -> None:
    for log in ("web.log", "doorway.access.log"):
        text = (setup.folder / log).read_text()
        assert "/accounts/login/" in text, log
        assert "Zelda" not in text, log
        assert "next=" not in text, log


def test_sigterm_stops_everything_cleanly(setup: Setup) -> None:
    running = setup.processes()
    for proc in running:
        os.kill(proc.pid, signal.SIGTERM)
    for proc in running:
        assert proc.wait(timeout=60) == 0, f"{name(proc)} exited {proc.returncode}"
    web_log = (setup.folder / "web.log").read_text()
    assert "Traceback" not in web_log
    assert "Shutting down: Master" in web_log
    assert not port_open(int(setup.env["DOORWAY_BIND"].rsplit(":", 1)[1]))()

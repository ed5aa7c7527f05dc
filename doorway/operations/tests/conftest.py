"""A backup key, an empty database to restore into, and `doorway` commands run as in a
drill: each in its own process, pointed at that database by DATABASE_URL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from doorway.operations import backups


@dataclass
class BackupKey:
    identity_file: Path
    recipient: str


@pytest.fixture
def backup_key(tmp_path: Path) -> BackupKey:
    text, recipient = backups.new_identity()
    path = tmp_path / "backup-identity.txt"
    path.write_text(text)
    return BackupKey(identity_file=path, recipient=recipient)


@dataclass
class EmptyDatabase:
    """A new database with no tables, as `doorway restore` wants one."""

    config: dict[str, Any]
    url: str

    def tables(self) -> list[str]:
        """Read without Django, and without making a SQLite file that is not there."""
        if self.config["ENGINE"] == "django.db.backends.sqlite3":
            path = Path(self.config["NAME"])
            if not path.exists():
                return []
            with closing(sqlite3.connect(path)) as database:
                rows = database.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                ).fetchall()
            return [row[0] for row in rows]
        import psycopg

        with psycopg.connect(self.url) as database:
            rows = database.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        return [row[0] for row in rows]


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[EmptyDatabase]:
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield EmptyDatabase(
            config={"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)},
            url=f"sqlite:///{path}",
        )
        return
    import psycopg
    from psycopg import sql

    name = f"doorway_restore_{uuid.uuid4().hex[:12]}"
    server = {
        "dbname": "postgres",
        "user": source["USER"],
        "password": source["PASSWORD"] or None,
        "host": source["HOST"] or None,
        "port": source["PORT"] or None,
    }
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    credentials = source["USER"] + (f":{source['PASSWORD']}" if source["PASSWORD"] else "")
    place = f"{source['HOST'] or 'localhost'}:{source['PORT'] or 5432}"
    try:
        yield EmptyDatabase(
            config={**source, "NAME": name}, url=f"postgres://{credentials}@{place}/{name}"
        )
    finally:
        with psycopg.connect(**server, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@dataclass
class Ran:
    returncode: int
    out: str
    err: str


def doorway(*args: str, database: EmptyDatabase, checkpoints: Path) -> Ran:
    """A `doorway` command in its own process, on that database, with the test's keys."""
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "DOORWAY_AUDIT_CHECKPOINTS": str(checkpoints),
    }
    finished = subprocess.run(
        [sys.executable, "-m", "doorway.manage", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    return Ran(finished.returncode, finished.stdout, finished.stderr)

"""Served with a wrong DOORWAY_FIELD_KEYS, Doorway used to start, answer every record
page with 500 and write anyone registered meanwhile under the wrong key. Now gunicorn's
workers do not boot, `doorway check` fails and management commands refuse, each naming
the key; nothing is served, so no one can be registered under it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection

from doorway.people.models import Participant
from doorway.testing.factories import ParticipantFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
WRONG_FIELD_KEY = Fernet.generate_key().decode()


def database_url(tmp_path: Path) -> str:
    """Where a server started now finds the test's committed data."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "doorway.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}"
    host = config.get("HOST") or "127.0.0.1"
    port = config.get("PORT") or 5432
    return f"postgres://{config['USER']}@{host}:{port}/{config['NAME']}"


def run(
    tmp_path: Path, field_keys: str, *args: str, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "doorway.settings_test",
        "DATABASE_URL": database_url(tmp_path),
        "DOORWAY_FIELD_KEYS": field_keys,
        "DOORWAY_AUDIT_CHECKPOINTS": str(tmp_path / "checkpoints"),
    }
    return subprocess.run(
        list(args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_with_a_wrong_field_key_nothing_starts_and_each_refusal_names_it(
    tmp_path: Path,
) -> None:
    ParticipantFactory(legal_name="Zelda Quartermain")
    right = ",".join(settings.FIELD_ENCRYPTION_KEYS)
    bin_dir = Path(sys.executable).parent

    assert run(tmp_path, right, str(bin_dir / "doorway"), "check").returncode == 0
    checked = run(tmp_path, WRONG_FIELD_KEY, str(bin_dir / "doorway"), "check")
    assert checked.returncode != 0
    assert "DOORWAY_FIELD_KEYS" in checked.stderr
    assert "Zelda" not in checked.stdout + checked.stderr

    served = run(
        tmp_path,
        WRONG_FIELD_KEY,
        str(bin_dir / "gunicorn"),
        "--bind",
        f"unix:{tmp_path / 'doorway.sock'}",
        "--workers",
        "1",
        "doorway.wsgi:application",
    )
    # gunicorn gives up when its worker cannot load the application.
    assert served.returncode != 0
    assert "DOORWAY_FIELD_KEYS" in served.stderr
    assert "Zelda" not in served.stderr

    refused = run(tmp_path, WRONG_FIELD_KEY, str(bin_dir / "doorway"), "load-demo")
    assert refused.returncode != 0
    assert "DOORWAY_FIELD_KEYS" in refused.stderr
    assert Participant.objects.count() == 1

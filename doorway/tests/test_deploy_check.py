"""`doorway check --deploy` under production settings reports nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Production-like: nothing but the keys and the host is set, so every other setting is
# its default. Dummy keys, shaped like real ones.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "doorway.settings",
    "DOORWAY_ENV_FILE": "/nonexistent",
    "DOORWAY_SECRET_KEY": "dummy-7Hq2LmP9vRt4WzB1nKc8YdF3sGj6UeA0oXiE5aTpQrNwMbVlZhCyDuJk",
    "DOORWAY_FIELD_KEYS": "gN7-JJ5laLL4VWFQtwzs3OTaz7W09geFSGo9vgBWChQ=",
    "DOORWAY_BLIND_INDEX_KEY": "dummy-blind-index-key-0123456789-Qw7Rt2Yp9Zx4Lk",
    "DOORWAY_AUDIT_KEY": "dummy-audit-chain-key-0123456789-Hs5Vn8Bc3Mj6Fg",
    "DOORWAY_AUDIT_CHECKPOINT_KEY": "ZHVtbXktY2hlY2twb2ludC1rZXktMDEyMzQ1Njc4OWE=",
    "DOORWAY_ALLOWED_HOSTS": "example.org",
}


def deploy_check(**changes: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **PRODUCTION_ENV, **changes}
    # A database and checkpoint folder of its own, empty: the key check finds nothing
    # written under other keys (a developer's demo data is not read with these keys).
    with tempfile.TemporaryDirectory() as folder:
        env["DATABASE_URL"] = f"sqlite:///{folder}/doorway.sqlite3"
        env["DOORWAY_AUDIT_CHECKPOINTS"] = f"{folder}/checkpoints"
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "doorway.manage",
                "check",
                "--deploy",
                "--fail-level",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def test_the_deploy_check_reports_no_issues_under_production_settings() -> None:
    result = deploy_check()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output


@pytest.mark.parametrize(
    ("changes", "reported"),
    [
        ({"DOORWAY_DEMO": "true"}, "DOORWAY_DEMO"),
        ({"DOORWAY_AUDIT_KEY": "x"}, "DOORWAY_AUDIT_KEY"),
        ({"DOORWAY_BLIND_INDEX_KEY": "0123456789abcdef0123456789abcdef"}, "BLIND_INDEX"),
        ({"DOORWAY_SECRET_KEY": "change-me-change-me-change-me-change-me-change-me"}, "SECRET"),
        ({"DOORWAY_FIELD_KEYS": "short"}, "DOORWAY_FIELD_KEYS"),
        (
            {"DOORWAY_FIELD_KEYS": "gN7-JJ5laLL4VWFQtwzs3OTaz7W09geFSGo9vgBWChQ=,abc"},
            "Key 2 of DOORWAY_FIELD_KEYS",
        ),
        # A valid Fernet key of 32 zero bytes: Fernet takes it, nobody should.
        ({"DOORWAY_FIELD_KEYS": "A" * 43 + "="}, "Key 1 of DOORWAY_FIELD_KEYS"),
    ],
)
def test_the_deploy_check_fails_an_unsafe_key_or_demo_mode(
    changes: dict[str, str], reported: str
) -> None:
    """Each of these passed `check --deploy` before: demo mode on, a one-character audit
    key, a key of too little randomness, a field key that is not a Fernet key."""
    result = deploy_check(**changes)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert reported in output, output

"""`doorway check --deploy` under production settings reports nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Production-like: nothing but the keys and the host is set, so every other setting is
# its default. Dummy keys, shaped like real ones.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "doorway.settings",
    "DOORWAY_ENV_FILE": "/nonexistent",
    "DOORWAY_SECRET_KEY": "dummy-7Hq2LmP9vRt4WzB1nKc8YdF3sGj6UeA0oXiE5aTpQrNwMbVlZhCyDuJk",
    "DOORWAY_FIELD_KEYS": "gN7-JJ5laLL4VWFQtwzs3OTaz7W09geFSGo9vgBWChQ=",
    "DOORWAY_BLIND_INDEX_KEY": "dummy-blind-index-key-0123456789",
    "DOORWAY_AUDIT_KEY": "dummy-audit-chain-key-0123456789",
    "DOORWAY_AUDIT_CHECKPOINT_KEY": "ZHVtbXktY2hlY2twb2ludC1rZXktMDEyMzQ1Njc4OWE=",
    "DOORWAY_ALLOWED_HOSTS": "example.org",
}


def test_the_deploy_check_reports_no_issues_under_production_settings() -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **PRODUCTION_ENV}
    result = subprocess.run(
        [sys.executable, "-m", "doorway.manage", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output

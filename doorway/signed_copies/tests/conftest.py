"""Files to attach, and scanners to check them with: a fake ClamAV (a script that
answers as clamscan does: 0 clean, 1 and "stdin: <name> FOUND" for a file holding the
fake signature, 2 when it cannot scan), or none at all."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from doorway.api.tokens import issue_token
from doorway.conftest import World
from doorway.people.models import Consent, User
from doorway.testing.signin import give_totp

# Marks a file the fake scanner calls infected.
FAKE_VIRUS = b"FAKE-VIRUS-FOR-DOORWAY-TESTS"
# A line of her signed form that must never be readable in the database.
SECRET_LINE = b"Signed by Rosa Example in front of Alice"

PDF = b"%PDF-1.7\n" + SECRET_LINE + b"\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

SCRIPT = """#!/bin/sh
# A stand-in for clamscan: reads the file on stdin.
input=$(cat | tr -d '\\000')
case "$input" in
  *FAKE-VIRUS-FOR-DOORWAY-TESTS*) echo "stdin: Doorway-Test-Signature FOUND"; exit 1 ;;
esac
exit {clean_status}
"""


def make_scanner(folder: Path, name: str, clean_status: int = 0) -> Path:
    path = folder / name
    path.write_text(SCRIPT.format(clean_status=clean_status))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def fake_clamscan(tmp_path: Path, settings: object) -> Path:
    """A working scanner, the only one configured."""
    path = make_scanner(tmp_path, "clamscan")
    settings.SIGNED_COPY_SCANNERS = [str(path)]  # type: ignore[attr-defined]
    return path


@pytest.fixture
def no_clamav(tmp_path: Path, settings: object) -> None:
    """No scanner installed: the configured ones are not there."""
    settings.SIGNED_COPY_SCANNERS = [  # type: ignore[attr-defined]
        str(tmp_path / "clamdscan"),
        str(tmp_path / "clamscan"),
    ]


@pytest.fixture
def consent(world: World) -> Consent:
    """Rosa's consent to service (the shared world records one for each woman)."""
    return world.rosa.consents.get()


MakeClient = Callable[..., APIClient]


@pytest.fixture
def token_client(db: None) -> MakeClient:
    def make(user: User, scope: str = "write") -> APIClient:
        give_totp(user)
        _, secret = issue_token(user, name="Test", scope=scope, days=30)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return make

"""The demo's SQLite file, read byte by byte as a thief with a copy of it would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from doorway.people.models import Participant  # noqa: F401  (keeps Django set up here)

READ_BACK = """
import json
from doorway.people.models import Participant
print(json.dumps([
    [p.legal_name, p.phone, p.date_of_birth.isoformat(),
     p.date_of_birth.strftime("%d/%m/%Y")]
    for p in Participant.objects.all()
]))
"""


def doorway(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "doorway.manage", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_the_demo_database_file_holds_no_name_phone_or_birth_date_in_plain_text(
    tmp_path: Path,
) -> None:
    database = tmp_path / "demo.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "doorway.settings_test",
        "DATABASE_URL": f"sqlite:///{database}",
        "DOORWAY_DEMO": "true",
    }
    doorway(env, "migrate", "--no-input", "-v", "0")
    doorway(env, "load-demo")
    people = json.loads(doorway(env, "shell", "-v", "0", "-c", READ_BACK))
    assert len(people) >= 30
    raw = database.read_bytes()
    for sidecar in tmp_path.glob("demo.sqlite3-*"):
        raw += sidecar.read_bytes()
    text = raw.decode("latin-1").casefold()
    for values in people:
        for value in filter(None, values):
            assert value.casefold() not in text, "a demo participant's detail is readable"
    # The check can see plain text: codes are stored as they are.
    code = doorway(
        env,
        "shell",
        "-v",
        "0",
        "-c",
        "from doorway.people.models import Participant;print(Participant.objects.first().code)",
    ).strip()
    assert code.casefold() in text

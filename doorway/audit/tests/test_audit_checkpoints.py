"""Signed checkpoints: written outside the database, checked by their signature, and
never allowed to go back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from doorway.audit import checkpoints
from doorway.audit.log import CheckpointRefused, check_log, checkpoint, record
from doorway.audit.models import Action, AuditEntry, ChainHead

pytestmark = pytest.mark.django_db

OTHER_KEY = "b3RoZXIta2V5LW5vdC10aGUtZGVwbG95bWVudHMtMDE="


def run_raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def write_entries(n: int) -> None:
    for i in range(n):
        record(Action.VIEW, detail={"n": i})


def test_a_checkpoint_is_a_signed_file_that_names_no_one(checkpoint_directory: Path) -> None:
    record(Action.VIEW, reason="a reason that must stay in the database")
    written = checkpoint()
    files = list(checkpoint_directory.glob("*.json"))
    assert [f.name for f in files] == [written.name]
    content = json.loads(files[0].read_text())
    assert content["entries"] == 1
    assert content["head"] == ChainHead.objects.get().last_hash
    assert set(content) == {"version", "log", "entries", "head", "at", "key_id", "signature"}
    assert "reason" not in files[0].read_text()


def test_a_forged_checkpoint_is_reported(checkpoint_directory: Path) -> None:
    write_entries(4)
    written = checkpoint()
    path = checkpoint_directory / written.name
    content = json.loads(path.read_text())
    # An insider claims the log was always shorter, without the signing key.
    content["entries"] = 2
    path.write_text(json.dumps(content))
    with pytest.raises(CommandError, match="forged or altered"):
        call_command("audit", "verify")


def test_a_checkpoint_signed_with_another_key_is_reported(settings) -> None:
    write_entries(2)
    settings.AUDIT_CHECKPOINT_KEY = OTHER_KEY
    checkpoint()
    settings.AUDIT_CHECKPOINT_KEY = "dGVzdC1jaGVja3BvaW50LWtleS0wMTIzNDU2Nzg5YWI="
    with pytest.raises(CommandError, match="key this check does not know"):
        call_command("audit", "verify")


def test_verify_needs_only_the_public_key(settings, capsys) -> None:
    write_entries(3)
    checkpoint()
    public = checkpoints.public_key_text(checkpoints.signing_key().public_key())
    settings.AUDIT_CHECKPOINT_KEY = ""
    call_command("audit", "verify", "--public-key", public)
    assert "3 entries verified" in capsys.readouterr().out
    run_raw("DELETE FROM audit_auditentry WHERE seq = 3")
    run_raw("UPDATE audit_chainhead SET entries = 2")
    with pytest.raises(CommandError, match="missing"):
        call_command("audit", "verify", "--public-key", public)


def test_a_checkpoint_is_refused_once_the_log_was_cut() -> None:
    write_entries(5)
    checkpoint()
    run_raw("DELETE FROM audit_auditentry WHERE seq > 3")
    run_raw("UPDATE audit_chainhead SET entries = 3")
    with pytest.raises(CheckpointRefused):
        checkpoint()
    with pytest.raises(CommandError, match="verify"):
        call_command("audit", "checkpoint")


def test_a_later_checkpoint_that_signed_a_shorter_log_is_reported(settings) -> None:
    # The cut made between two checkpoints, and the second written by a writer that
    # did not compare (an older version, or a forged run with the key).
    write_entries(6)
    checkpoint()
    kept = AuditEntry.objects.get(seq=4)
    run_raw("DELETE FROM audit_auditentry WHERE seq > 4")
    run_raw(
        "UPDATE audit_chainhead SET entries = 4, last_hash = %s, last_entry_id = %s",
        [kept.entry_hash, kept.pk],
    )
    checkpoints.write(4, kept.entry_hash or "")
    report = check_log()
    messages = " ".join(report.lines())
    assert "fewer than the 6" in messages
    assert "positions 5 to 6" in messages


def test_without_a_key_the_checkpoint_command_says_what_to_set(settings) -> None:
    settings.AUDIT_CHECKPOINT_KEY = ""
    with pytest.raises(CommandError, match="DOORWAY_AUDIT_CHECKPOINT_KEY"):
        call_command("audit", "checkpoint")


def test_a_malformed_key_is_refused_with_a_clear_message(settings, checkpoint_directory) -> None:
    settings.AUDIT_CHECKPOINT_KEY = "short"
    with pytest.raises(CommandError, match="32 bytes"):
        call_command("audit", "checkpoint")
    assert not list(checkpoint_directory.glob("*.json"))


def test_without_any_checkpoint_verify_passes_but_says_what_it_cannot_prove(capsys) -> None:
    write_entries(2)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "No signed checkpoint yet" in out
    assert "2 entries verified" in out

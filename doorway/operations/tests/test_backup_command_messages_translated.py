"""What `doorway backup`, `restore` and `backup-key` tell the person at the terminal goes
through translation: under a language whose catalogue marks every message it
translates, each message printed or refused with comes out marked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from doorway.operations.tests.conftest import BackupKey
from doorway.testing.translation import MARK, marked_language

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def marked() -> Iterator[None]:
    with marked_language():
        yield


def test_a_backup_and_a_refused_restore_are_reported_translated(
    marked: None, backup_key: BackupKey, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("backup", str(tmp_path), recipient=backup_key.recipient)
    out = capsys.readouterr().out
    assert f"{MARK}Backed up " in out
    assert f"{MARK}Backup written: " in out
    (made,) = tmp_path.glob("doorway-*.backup.age")

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(made), identity=str(backup_key.identity_file))
    assert str(refused.value).startswith(f"{MARK}The database already holds")


def test_a_new_backup_key_and_a_missing_recipient_are_reported_translated(
    marked: None, settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("backup-key", "new", str(tmp_path / "identity.txt"))
    assert capsys.readouterr().out.startswith(f"{MARK}Backup identity written to ")

    settings.BACKUP_RECIPIENT = ""
    with pytest.raises(CommandError) as refused:
        call_command("backup", str(tmp_path))
    assert str(refused.value).startswith(f"{MARK}No backup recipient")

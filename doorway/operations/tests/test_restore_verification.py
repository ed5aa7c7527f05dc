"""What `doorway restore` checks once it has written: run here on the database the backup
was made of, which is what a good restore gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError

from doorway import keycheck
from doorway.operations import backups
from doorway.operations.tests.conftest import BackupKey

pytestmark = pytest.mark.django_db(transaction=True)


def manifest_of_a_backup(tmp_path: Path, key: BackupKey) -> dict[str, Any]:
    call_command("backup", str(tmp_path), recipient=key.recipient)
    (made,) = tmp_path.glob("doorway-*.backup.age")
    work = tmp_path / "unpacked"
    work.mkdir()
    return backups.unpack(made, backups.read_identities(key.identity_file), work)


def test_the_database_backed_up_passes_every_check(backup_key: BackupKey, tmp_path: Path) -> None:
    restored = backups.verify_restored(manifest_of_a_backup(tmp_path, backup_key))

    assert restored.problems == []


def test_a_table_that_lost_rows_is_named(backup_key: BackupKey, tmp_path: Path) -> None:
    manifest = manifest_of_a_backup(tmp_path, backup_key)
    manifest["tables"]["django_migrations"] += 1

    restored = backups.verify_restored(manifest)

    assert any(problem.startswith("django_migrations holds") for problem in restored.problems)


def test_a_key_check_the_schema_cannot_answer_is_a_problem_not_a_crash(
    backup_key: BackupKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backup older than this Doorway lacks columns its models read until migrated."""
    manifest = manifest_of_a_backup(tmp_path, backup_key)

    def column_missing(using: str = "default") -> list[str]:
        raise DatabaseError('column "upload" does not exist')

    monkeypatch.setattr(keycheck, "key_problems", column_missing)

    restored = backups.verify_restored(manifest)

    assert any("doorway migrate" in problem for problem in restored.problems)

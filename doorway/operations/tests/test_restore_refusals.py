"""A restore that cannot be trusted is refused before anything is written: a backup
decrypted with the wrong identity, a backup altered after it was made (in its encryption,
or re-encrypted with a database that no longer matches its checksum), and a database
that is not empty. Each leaves the target as it was."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pyrage
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from doorway.conftest import World
from doorway.operations import backups
from doorway.operations.tests.conftest import BackupKey, EmptyDatabase, doorway
from doorway.people.models import Participant

# Transactional: SQLite's backup cannot copy a database while its own connection holds
# the test's open transaction (nor can pg_dump see what that transaction wrote). The
# backups hold the migrated test database: what is refused is the file, the identity or
# the target, whatever records the backup holds.
pytestmark = pytest.mark.django_db(transaction=True)


def backup(tmp_path: Path, key: BackupKey) -> Path:
    call_command("backup", str(tmp_path), recipient=key.recipient)
    (made,) = tmp_path.glob("doorway-*.backup.age")
    return made


def restore(made: Path, identity: Path, database: EmptyDatabase, tmp_path: Path):
    return doorway(
        "restore",
        str(made),
        "--identity",
        str(identity),
        database=database,
        checkpoints=tmp_path / "checkpoints",
    )


def test_another_identity_is_refused_and_nothing_is_written(
    backup_key: BackupKey, empty_database: EmptyDatabase, tmp_path: Path
) -> None:
    made = backup(tmp_path, backup_key)
    other, _ = backups.new_identity()
    other_file = tmp_path / "other-identity.txt"
    other_file.write_text(other)

    refused = restore(made, other_file, empty_database, tmp_path)

    assert refused.returncode == 1
    assert "was not made for this identity" in refused.err
    assert empty_database.tables() == []


def test_a_backup_altered_after_it_was_made_is_refused_and_nothing_is_written(
    backup_key: BackupKey, empty_database: EmptyDatabase, tmp_path: Path
) -> None:
    made = backup(tmp_path, backup_key)
    sealed = bytearray(made.read_bytes())
    sealed[len(sealed) // 2] ^= 0x01
    made.write_bytes(bytes(sealed))

    refused = restore(made, backup_key.identity_file, empty_database, tmp_path)

    assert refused.returncode == 1
    assert "damaged or was altered" in refused.err
    assert empty_database.tables() == []


def test_a_backup_cut_short_is_refused_and_nothing_is_written(
    backup_key: BackupKey, empty_database: EmptyDatabase, tmp_path: Path
) -> None:
    made = backup(tmp_path, backup_key)
    made.write_bytes(made.read_bytes()[: made.stat().st_size - 100])

    refused = restore(made, backup_key.identity_file, empty_database, tmp_path)

    assert refused.returncode == 1
    assert "damaged or was altered" in refused.err
    assert empty_database.tables() == []


def test_a_database_that_does_not_match_its_checksum_is_refused_and_nothing_is_written(
    backup_key: BackupKey, empty_database: EmptyDatabase, tmp_path: Path
) -> None:
    """Whoever holds only the public key can make a backup that decrypts: the manifest's
    checksum is what tells its database from the one that was read."""
    made = backup(tmp_path, backup_key)
    identity = pyrage.x25519.Identity.from_str(
        backup_key.identity_file.read_text().splitlines()[-1]
    )
    with tarfile.open(fileobj=io.BytesIO(pyrage.decrypt(made.read_bytes(), [identity]))) as tar:
        members = [(member, tar.extractfile(member).read()) for member in tar]  # type: ignore[union-attr]  # every member of a backup is a file, which extractfile opens
    rebuilt = io.BytesIO()
    with tarfile.open(fileobj=rebuilt, mode="w") as tar:
        for member, content in members:
            if member.name != "manifest.json":
                content = content[:-1] + bytes([content[-1] ^ 0x01])
            tar.addfile(member, io.BytesIO(content))
    recipient = pyrage.x25519.Recipient.from_str(backup_key.recipient)
    made.write_bytes(pyrage.encrypt(rebuilt.getvalue(), [recipient]))

    refused = restore(made, backup_key.identity_file, empty_database, tmp_path)

    assert refused.returncode == 1
    assert "does not match its checksum" in refused.err
    assert empty_database.tables() == []


def test_a_database_that_is_not_empty_is_refused_and_nothing_is_changed(
    world: World, backup_key: BackupKey, tmp_path: Path
) -> None:
    made = backup(tmp_path, backup_key)
    tables = connection.introspection.table_names()
    names = sorted(Participant.objects.values_list("pk", flat=True))

    with pytest.raises(CommandError, match="restored only into an empty database"):
        call_command("restore", str(made), identity=str(backup_key.identity_file))

    assert connection.introspection.table_names() == tables
    assert sorted(Participant.objects.values_list("pk", flat=True)) == names


def test_a_backup_never_overwrites_a_file(backup_key: BackupKey, tmp_path: Path) -> None:
    existing = tmp_path / "kept.backup.age"
    existing.write_bytes(b"an earlier backup")

    with pytest.raises(CommandError, match="never overwrites"):
        call_command("backup", str(existing), recipient=backup_key.recipient)

    assert existing.read_bytes() == b"an earlier backup"


def test_without_a_recipient_no_backup_is_made(settings, tmp_path: Path) -> None:
    settings.BACKUP_RECIPIENT = ""

    with pytest.raises(CommandError, match="DOORWAY_BACKUP_RECIPIENT"):
        call_command("backup", str(tmp_path))

    assert list(tmp_path.iterdir()) == []


def test_a_manifest_is_read_as_json_with_its_files(backup_key: BackupKey, tmp_path: Path) -> None:
    made = backup(tmp_path, backup_key)
    work = tmp_path / "unpacked"
    work.mkdir()
    identities = backups.read_identities(backup_key.identity_file)

    manifest = backups.unpack(made, identities, work)

    assert json.loads(json.dumps(manifest)) == manifest
    assert sorted(p.name for p in work.iterdir()) == sorted(manifest["files"])

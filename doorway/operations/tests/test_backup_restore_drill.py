"""The drill, as an agency would run it: records written, `doorway backup`, `doorway
restore` into a new empty database, the same records read back there and the audit log
verified. On SQLite always; on PostgreSQL when the suite runs there."""

from __future__ import annotations

import datetime
import io
import json
import tarfile
from pathlib import Path

import pyrage
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.casework.actions import record_contact
from doorway.casework.models import ContactKind
from doorway.conftest import World
from doorway.operations.tests.conftest import BackupKey, EmptyDatabase, doorway
from doorway.operations.tests.readback import SHELL, records
from doorway.people.models import Participant

pytestmark = pytest.mark.django_db(transaction=True)


def write_records(world: World) -> None:
    for n, (enrolment_of, by) in enumerate(
        [(world.rosa_enrolment, world.alice), (world.rosa_enrolment, world.alice)]
    ):
        record_contact(
            enrolment_of,
            by=by,
            happened_on=timezone.localdate() - datetime.timedelta(days=2 + n),
            duration_minutes=45,
            kind=ContactKind.INDIVIDUAL_COUNSELLING,
            note=f"Talked through the housing form, visit {n}; she wants the evening slot.",
        )


def backup(tmp_path: Path, key: BackupKey) -> Path:
    call_command("backup", str(tmp_path), recipient=key.recipient)
    (made,) = tmp_path.glob("doorway-*.backup.age")
    return made


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_backup_restores_into_an_empty_database_with_every_record_readable(
    vendor: str,
    world: World,
    backup_key: BackupKey,
    empty_database: EmptyDatabase,
    tmp_path: Path,
) -> None:
    if connection.vendor != vendor:
        pytest.skip(
            f"the suite runs on {connection.vendor}; this drill runs when it runs on {vendor} "
            "(DATABASE_URL=postgres://… for PostgreSQL)"
        )
    write_records(world)
    made = backup(tmp_path, backup_key)
    assert_sealed_with_its_manifest(made, backup_key)

    restored = doorway(
        "restore",
        str(made),
        "--identity",
        str(backup_key.identity_file),
        database=empty_database,
        checkpoints=tmp_path / "checkpoints",
    )
    assert restored.returncode == 0, restored.err
    assert "Verified" in restored.out
    participants = Participant.objects.count()
    assert f"people_participant: {participants}" in restored.out
    # What it says names tables and counts, never a person.
    for person in Participant.objects.all():
        assert person.legal_name not in restored.out + restored.err

    read_back = doorway(
        "shell", "--no-imports", "-c", SHELL, database=empty_database, checkpoints=tmp_path
    )
    assert read_back.returncode == 0, read_back.err
    assert json.loads(read_back.out) == records()
    assert len(records()["notes"]) == 2

    verified = doorway(
        "audit", "verify", database=empty_database, checkpoints=tmp_path / "checkpoints"
    )
    assert verified.returncode == 0, verified.err
    assert f"{AuditEntry.objects.count()} entries verified" in verified.out


def assert_sealed_with_its_manifest(made: Path, backup_key: BackupKey) -> None:
    """age's format, no name readable in it; inside, the manifest then the database."""
    sealed = made.read_bytes()
    assert sealed.startswith(b"age-encryption.org/v1\n")
    for person in Participant.objects.all():
        assert person.legal_name.encode() not in sealed

    identity = pyrage.x25519.Identity.from_str(
        backup_key.identity_file.read_text().splitlines()[-1]
    )
    with tarfile.open(fileobj=io.BytesIO(pyrage.decrypt(sealed, [identity]))) as tar:
        names = tar.getnames()
        manifest_file = tar.extractfile("manifest.json")
        assert manifest_file is not None
        manifest = json.load(manifest_file)
    database_file = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[
        connection.vendor
    ]
    assert names == ["manifest.json", database_file]
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["tables"]["people_participant"] == Participant.objects.count()
    assert manifest["tables"]["casework_contact"] == 2
    assert manifest["audit"]["entries"] == AuditEntry.objects.count()
    assert manifest["audit"]["chained"] == AuditEntry.objects.count()
    assert "0001_initial" in manifest["migrations"]["people"]
    assert set(manifest["files"]) == {database_file}
    assert len(manifest["files"][database_file]["sha256"]) == 64

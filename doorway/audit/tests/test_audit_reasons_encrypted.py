"""An audit entry's reason (why the glass was broken, why research data was exported) is
encrypted at rest like the records it is about, and the log still verifies: the MAC
and chain hash cover the reason's plain text, so neither rotating the keys nor the
migration that encrypted the reasons already written breaks the chain."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.core.management import call_command
from django.db import connection

from doorway.audit.log import check_log, record, seal, verify
from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.people.actions import break_the_glass
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

REASON = "Police called about an immediate safety risk to her tonight."

migration = import_module("doorway.audit.migrations.0003_encrypt_audit_reasons")


def stored_reasons() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, reason FROM audit_auditentry")
        return dict(cursor.fetchall())


def test_a_break_the_glass_reason_is_not_in_the_audit_table_in_plain_text(world: World) -> None:
    break_the_glass(world.rosa, by=world.ada, reason=REASON)
    raw = stored_reasons()
    assert raw
    assert not any("safety risk" in value for value in raw.values())
    entry = AuditEntry.objects.get(action=Action.BREAK_GLASS)
    assert entry.reason == REASON


def test_after_key_rotation_the_reasons_are_re_encrypted_and_the_log_still_verifies(
    settings, world: World
) -> None:
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    first = record(Action.VIEW, actor=world.ada, reason="checking a complaint")
    seal()
    second = record(Action.VIEW, actor=world.ada, reason="a second reason, not yet sealed")
    before = stored_reasons()

    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY, old_key]
    call_command("rotate-keys")
    # The old key is gone: only re-encrypted reasons can still be read.
    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY]

    after = stored_reasons()
    assert after[first.pk] != before[first.pk]
    assert after[second.pk] != before[second.pk]
    assert AuditEntry.objects.get(pk=first.pk).reason == "checking a complaint"
    assert AuditEntry.objects.get(pk=second.pk).reason == "a second reason, not yet sealed"
    report = check_log()
    assert report.ok, report.lines()
    assert report.entries >= 3  # the two above and the rotation's own entry


def test_entries_written_in_plain_text_before_the_migration_still_verify_after_it(
    world: World,
) -> None:
    written = [record(Action.VIEW, actor=world.ada, reason=f"old reason {n}") for n in range(3)]
    seal()
    # As the log stored them before reasons were encrypted: the plain text itself.
    with connection.cursor() as cursor:
        for entry in written:
            cursor.execute(
                "UPDATE audit_auditentry SET reason = %s WHERE id = %s", [entry.reason, entry.pk]
            )
    assert "old reason 0" in stored_reasons().values()

    migration.encrypt_existing(None, connection.schema_editor())

    raw = stored_reasons()
    assert not any("old reason" in value for value in raw.values())
    assert [AuditEntry.objects.get(pk=e.pk).reason for e in written] == [
        "old reason 0",
        "old reason 1",
        "old reason 2",
    ]
    assert verify() is None


def test_a_reason_overwritten_without_the_keys_is_reported_not_a_crash(world: World) -> None:
    entry = record(Action.BREAK_GLASS, actor=world.ada, reason=REASON)
    seal()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["gAAAAAgarbage", entry.pk]
        )
    problem = verify()
    assert problem is not None
    assert problem.entry_id == entry.pk


def test_the_administrators_audit_page_shows_the_reason_decrypted(client, world: World) -> None:
    break_the_glass(world.rosa, by=world.ada, reason=REASON)
    page = signed_in(client, world.ada).get("/audit/").content.decode()
    assert REASON in page

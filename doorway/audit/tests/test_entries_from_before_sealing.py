"""Entries written before sealing was apart were chained in id order with the same chain
hash: the migration gives them their places and keeps their hashes, so they verify,
and an edit made to one before the migration still shows."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from doorway.audit.log import verify
from doorway.audit.models import GENESIS, AuditEntry, ChainHead

pytestmark = pytest.mark.django_db

NAME = "0002_entries_sealed_apart_and_verify_runs"
migration = import_module(f"doorway.audit.migrations.{NAME}")


def run_migration() -> None:
    """The data step, with the models as the migration sees them."""
    state = MigrationLoader(connection).project_state(("audit", NAME))
    migration.place_entries_already_chained(state.apps, None)


def old_style_log(n: int) -> list[AuditEntry]:
    """As the former `record()` wrote them: chained at insert, no MAC, no place."""
    previous = GENESIS
    written = []
    for i in range(n):
        entry = AuditEntry(at=timezone.now(), action="view", detail={"n": i})
        entry.previous_hash = previous
        entry.entry_hash = entry.compute_hash()
        entry.save()
        previous = entry.entry_hash
        written.append(entry)
    ChainHead.objects.create(
        pk=1, last_entry_id=written[-1].pk, last_hash=previous, entries=len(written)
    )
    return written


def test_entries_chained_before_get_their_places_and_verify() -> None:
    written = old_style_log(4)
    run_migration()
    assert list(AuditEntry.objects.order_by("pk").values_list("seq", flat=True)) == [1, 2, 3, 4]
    assert verify() is None
    assert AuditEntry.objects.get(pk=written[0].pk).entry_mac == ""


def test_an_edit_made_before_the_migration_still_shows() -> None:
    written = old_style_log(4)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = 'x' WHERE id = %s", [written[1].pk])
    run_migration()
    problem = verify()
    assert problem is not None
    assert problem.entry_id == written[1].pk

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from doorway.audit.log import record, seal, verify
from doorway.audit.models import Action, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries() -> list[AuditEntry]:
    """Five entries, sealed onto the chain by the sequencer."""
    written = [record(Action.VIEW, participant=None, detail={"n": n}, reason="") for n in range(5)]
    seal()
    return list(AuditEntry.objects.filter(pk__in=[e.pk for e in written]).order_by("seq"))


@pytest.fixture
def unsealed() -> list[AuditEntry]:
    """Five entries the sequencer has not reached yet."""
    return [record(Action.VIEW, detail={"n": n}) for n in range(5)]


def run_raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_untouched_log_verifies(entries: list[AuditEntry], capsys) -> None:
    assert verify() is None
    call_command("audit", "verify")
    assert "5 entries verified" in capsys.readouterr().out


def test_each_entry_carries_the_hash_of_the_one_before(entries: list[AuditEntry]) -> None:
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    for before, after in itertools.pairwise(entries):
        assert after.previous_hash == before.entry_hash


def test_an_entry_edited_before_it_is_sealed_is_reported_and_not_sealed(
    unsealed: list[AuditEntry],
) -> None:
    run_raw("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["cover", unsealed[1].pk])
    problem = verify()
    assert problem is not None
    assert problem.entry_id == unsealed[1].pk
    assert "edited" in problem.message
    # Sealing it would have laundered the edit: it stays off the chain.
    assert AuditEntry.objects.get(pk=unsealed[1].pk).seq is None
    assert AuditEntry.objects.filter(seq__isnull=False).count() == 4


def test_an_unsealed_entry_whose_mac_is_blanked_is_reported(unsealed: list[AuditEntry]) -> None:
    run_raw("UPDATE audit_auditentry SET entry_mac = '' WHERE id = %s", [unsealed[3].pk])
    problem = verify()
    assert problem is not None
    assert problem.entry_id == unsealed[3].pk


def test_an_entry_edited_by_raw_sql_is_reported(entries: list[AuditEntry]) -> None:
    run_raw("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["export", entries[2].pk])
    problem = verify()
    assert problem is not None
    assert problem.entry_id == entries[2].pk
    assert "edited" in problem.message
    with pytest.raises(CommandError, match=f"entry {entries[2].pk}"):
        call_command("audit", "verify")


def test_a_reason_added_afterwards_is_reported(entries: list[AuditEntry]) -> None:
    run_raw("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["cover", entries[0].pk])
    problem = verify()
    assert problem is not None
    assert problem.entry_id == entries[0].pk


def test_an_entry_deleted_by_raw_sql_is_reported_at_the_next_one(
    entries: list[AuditEntry],
) -> None:
    run_raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[2].pk])
    problem = verify()
    assert problem is not None
    assert problem.entry_id == entries[3].pk
    assert "removed" in problem.message


def test_removing_the_newest_entries_is_reported(entries: list[AuditEntry]) -> None:
    run_raw("DELETE FROM audit_auditentry WHERE id >= %s", [entries[3].pk])
    assert verify() is not None


def test_a_rebuilt_entry_without_the_key_does_not_pass(entries: list[AuditEntry], settings) -> None:
    # Someone with database access recomputes a hash, but not with the audit key.
    settings.AUDIT_CHAIN_KEY = "a-guess"
    forged = AuditEntry.objects.get(pk=entries[4].pk)
    forged.action = "export"
    new_mac, new_hash = forged.compute_mac(), forged.compute_hash()
    settings.AUDIT_CHAIN_KEY = "test-audit-chain-key"
    run_raw(
        "UPDATE audit_auditentry SET action = %s, entry_mac = %s, entry_hash = %s WHERE id = %s",
        ["export", new_mac, new_hash, entries[4].pk],
    )
    assert verify() is not None


def test_the_application_cannot_change_or_delete_entries(entries: list[AuditEntry]) -> None:
    entry = entries[0]
    entry.reason = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
    assert verify() is None


def test_a_long_transaction_chains_its_entries_together_at_its_end(
    entries: list[AuditEntry],
) -> None:
    from django.db import transaction

    from doorway.audit.log import chained_at_the_end
    from doorway.audit.models import ChainHead

    head_before = ChainHead.objects.get().last_hash
    with transaction.atomic(), chained_at_the_end():
        for n in range(3):
            record(Action.CREATE, detail={"row": n})
        # Nothing written, and the head untouched (so not locked), until the end.
        assert AuditEntry.objects.count() == 5
        assert ChainHead.objects.get().last_hash == head_before
    seal()
    written = list(AuditEntry.objects.order_by("seq"))[5:]
    assert [e.detail["row"] for e in written] == [0, 1, 2]
    assert written[0].previous_hash == entries[-1].entry_hash
    assert verify() is None


def test_a_long_transaction_that_fails_writes_none_of_its_entries(
    entries: list[AuditEntry],
) -> None:
    from django.db import transaction

    from doorway.audit.log import chained_at_the_end

    def refused_import() -> None:
        with transaction.atomic(), chained_at_the_end():
            record(Action.CREATE, detail={"row": 0})
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        refused_import()
    assert AuditEntry.objects.count() == 5
    record(Action.VIEW)
    assert verify() is None


def test_a_rewound_head_is_reported_even_though_sealing_then_fails(
    entries: list[AuditEntry],
) -> None:
    run_raw("UPDATE audit_chainhead SET entries = 2, last_hash = %s", [entries[1].entry_hash])
    record(Action.VIEW)
    problem = verify()
    assert problem is not None
    assert "rewound" in problem.message

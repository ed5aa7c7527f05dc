"""Someone with write access to the database cuts the log short: removes the newest
entries and rewrites the chain head to match, or empties the log and the head. The
signed checkpoint written outside the database still says how far the log reached,
so `doorway audit verify` fails and names what is missing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from doorway.audit.log import record
from doorway.audit.models import Action, AuditEntry

pytestmark = pytest.mark.django_db


def run_raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def write_entries(n: int) -> None:
    for i in range(n):
        record(Action.VIEW, detail={"n": i})


def checkpointed_log(n: int) -> None:
    write_entries(n)
    call_command("audit", "checkpoint")


def test_removing_the_newest_entries_and_rewriting_the_head_is_caught() -> None:
    checkpointed_log(30)
    kept = list(AuditEntry.objects.order_by("seq")[:20])
    last = kept[-1]
    run_raw("DELETE FROM audit_auditentry WHERE seq > %s", [last.seq])
    # The head rewritten to match the shortened chain, as an insider would.
    run_raw(
        "UPDATE audit_chainhead SET last_entry_id = %s, last_hash = %s, entries = %s",
        [last.pk, last.entry_hash, 20],
    )
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify")
    message = str(caught.value)
    assert "10 entries" in message
    assert "21 to 30" in message
    assert "missing" in message


def test_wiping_every_entry_and_the_head_is_caught() -> None:
    checkpointed_log(12)
    run_raw("DELETE FROM audit_auditentry")
    run_raw("DELETE FROM audit_chainhead")
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify")
    message = str(caught.value)
    assert "wiped" in message
    assert "12 entries" in message


def test_wiping_the_log_and_writing_new_entries_is_caught() -> None:
    checkpointed_log(12)
    run_raw("DELETE FROM audit_auditentry")
    run_raw("DELETE FROM audit_chainhead")
    write_entries(15)
    with pytest.raises(CommandError, match=r"replaced|missing"):
        call_command("audit", "verify")


def test_entries_written_after_the_checkpoint_do_not_disturb_it(capsys) -> None:
    checkpointed_log(5)
    write_entries(3)
    call_command("audit", "verify")
    assert "8 entries verified" in capsys.readouterr().out

"""On PostgreSQL ids come from a sequence and transactions commit in any order: an
entry given a lower id can become visible after a higher one was already sealed. The
sequencer must seal it on its next run, not skip it for ever, and appending must take
no lock on the chain head."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doorway.audit.log import check_log, record, seal
from doorway.audit.models import Action, AuditEntry

pytestmark = pytest.mark.django_db


def test_an_entry_committed_after_a_later_one_was_sealed_is_sealed_next() -> None:
    first = record(Action.VIEW, detail={"n": 1})
    later = AuditEntry(at=first.at, action=Action.VIEW, detail={"n": 3}, id=first.pk + 100)
    later.entry_mac = later.compute_mac()
    AuditEntry.objects.bulk_create([later])
    assert seal() == 2
    # The straggler: its id was handed out before the later one's, its commit came after.
    straggler = AuditEntry(at=first.at, action=Action.VIEW, detail={"n": 2}, id=first.pk + 50)
    straggler.entry_mac = straggler.compute_mac()
    AuditEntry.objects.bulk_create([straggler])
    assert seal() == 1
    sealed = AuditEntry.objects.get(pk=straggler.pk)
    assert sealed.seq == 3
    assert sealed.previous_hash == AuditEntry.objects.get(pk=later.pk).entry_hash
    report = check_log()
    assert report.ok, report.lines()
    assert report.entries == 3


def test_writing_an_entry_takes_no_lock_on_the_chain_head() -> None:
    record(Action.VIEW)
    seal()
    with CaptureQueriesContext(connection) as queries:
        record(Action.VIEW, detail={"n": 2})
    statements = [q["sql"] for q in queries.captured_queries]
    assert not [sql for sql in statements if "audit_chainhead" in sql], statements
    assert len(statements) <= 3  # the insert (and its savepoint on some backends)

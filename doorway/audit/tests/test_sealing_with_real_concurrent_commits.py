"""The same as test_sealing_out_of_order_commits, with a real second connection: a
transaction holds an entry uncommitted while a later entry commits and is sealed. Only
PostgreSQL lets two writers hold transactions at once (SQLite takes its write lock at
the start of each transaction), so this runs there; the logic is tested on both by the
other file."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from doorway.audit.log import check_log, record, seal
from doorway.audit.models import Action, AuditEntry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="two open write transactions need PostgreSQL"
    ),
]


def test_an_entry_committing_late_is_sealed_by_the_next_run() -> None:
    written = threading.Event()
    release = threading.Event()
    early: list[int] = []

    def slow_request() -> None:
        try:
            with transaction.atomic():
                early.append(record(Action.VIEW, detail={"slow": True}).pk)
                written.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_request)
    thread.start()
    assert written.wait(timeout=30)
    late = record(Action.VIEW, detail={"slow": False})
    assert late.pk > early[0]
    # The early entry is still uncommitted: invisible, so not sealed, and not skipped.
    assert seal() == 1
    release.set()
    thread.join(timeout=30)
    assert seal() == 1
    assert AuditEntry.objects.get(pk=late.pk).seq == 1
    assert AuditEntry.objects.get(pk=early[0]).seq == 2
    assert check_log().ok

"""Real parallel writers: eight threads, each with its own PostgreSQL connection, write
audit entries at once (one a transaction, or a few in one), while another thread seals
over and over. Afterwards every committed entry is on the chain exactly once, the places
run 1, 2, 3… without a gap, each entry links to the one before, and the whole check
passes. Only PostgreSQL runs writers in parallel (SQLite takes one write lock), so this
runs there; the sealing logic is tested on both by the other files."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.db import connection, transaction

from doorway.audit.log import check_log, record, seal
from doorway.audit.models import Action, AuditEntry, ChainHead

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="parallel writers need PostgreSQL"
    ),
]

WRITERS = 8
EACH = 30


def test_entries_written_in_parallel_while_sealing_all_end_on_one_intact_chain() -> None:
    start = threading.Barrier(WRITERS + 1)
    writers_done = threading.Event()
    failures: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            start.wait(timeout=60)
            for n in range(EACH):
                if n % 5 == 4:
                    # A request that writes and audits two things in one transaction.
                    with transaction.atomic():
                        record(Action.CHANGE, detail={"writer": i, "n": n})
                        record(Action.VIEW, detail={"writer": i, "n": n, "second": True})
                else:
                    record(Action.VIEW, detail={"writer": i, "n": n})
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connection.close()

    def sealer() -> None:
        try:
            start.wait(timeout=60)
            while not writers_done.is_set():
                seal(batch_size=7)  # small batches, each a transaction of its own
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    writers = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    sealing = threading.Thread(target=sealer)
    for thread in [*writers, sealing]:  # the writers and the sealer: WRITERS + 1 parties
        thread.start()
    for thread in writers:
        thread.join(timeout=300)
    # The sealer was chaining while the writers wrote, not only after them.
    sealed_meanwhile = ChainHead.objects.values_list("entries", flat=True).first() or 0
    writers_done.set()
    sealing.join(timeout=300)
    assert not failures, failures
    assert sealed_meanwhile > 0

    seal()
    written = WRITERS * (EACH + EACH // 5)
    chain = list(AuditEntry.objects.order_by("seq"))
    assert len(chain) == written
    assert [e.seq for e in chain] == list(range(1, written + 1))
    for before, after in itertools.pairwise(chain):
        assert after.previous_hash == before.entry_hash
    assert len({(e.detail["writer"], e.detail["n"], "second" in e.detail) for e in chain}) == (
        written
    )
    head = ChainHead.objects.get()
    assert (head.entries, head.last_hash) == (written, chain[-1].entry_hash)
    report = check_log()
    assert report.ok, report.lines()
    assert (report.entries, report.unsealed) == (written, 0)

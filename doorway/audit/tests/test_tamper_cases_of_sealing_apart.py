"""Tamper cases that sealing apart from writing opens, each caught.

Writers insert entries with a MAC and no place on the chain; the sequencer seals
whatever is committed and not yet on it. So someone with write access to the database,
without the keys, could try: a copy of an entry inserted as a new row (its content and
MAC replayed), which the sequencer would seal like any other; an entry taken off the
chain so that it is sealed again elsewhere; two entries' places swapped. And while the
worker that seals does not run, entries wait unsealed: past a limit that is an alarm."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from doorway.audit import tasks
from doorway.audit.log import check_log, checkpoint, record, seal, seal_alarm_after
from doorway.audit.models import Action, AuditEntry

pytestmark = pytest.mark.django_db

COLUMNS = (
    "at, action, actor_id, actor_username, participant_id, object_type, object_id, "
    "ip_address, path, reason, detail, nonce, entry_mac, previous_hash"
)


def run_raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def insert_copy_of(entry_id: int) -> int:
    """Insert another row with the entry's stored content and MAC, off the chain."""
    run_raw(
        f"INSERT INTO audit_auditentry ({COLUMNS}) "  # noqa: S608 - fixed column names
        f"SELECT {COLUMNS.replace('previous_hash', chr(39) * 2)} "
        "FROM audit_auditentry WHERE id = %s",
        [entry_id],
    )
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True)[0]


def sealed_log(n: int) -> list[AuditEntry]:
    for i in range(n):
        record(Action.VIEW, detail={"n": i})
    seal()
    return list(AuditEntry.objects.order_by("seq"))


def test_every_entry_has_a_nonce_of_its_own_under_its_mac() -> None:
    entries = sealed_log(3)
    assert len({e.nonce for e in entries}) == 3
    assert all(len(e.nonce) == 32 for e in entries)
    # Two entries with the same content still differ: their MACs never coincide.
    twin = AuditEntry(**{f: getattr(entries[0], f) for f in ("at", "action", "detail")})
    twin.nonce = "0" * 32
    assert twin.compute_mac() != AuditEntry.objects.get(pk=entries[0].pk).compute_mac()


def test_a_copy_of_a_sealed_entry_is_reported_even_once_sealed() -> None:
    entries = sealed_log(4)
    copy = insert_copy_of(entries[1].pk)
    report = check_log()  # seals the copy first: its MAC matches its content
    assert AuditEntry.objects.get(pk=copy).seq == 5
    assert not report.ok
    assert [p.entry_id for p in report.problems] == [copy]
    assert f"entry {entries[1].pk}" in report.problems[0].message
    assert "copy" in report.problems[0].message


def test_a_copy_of_an_entry_not_yet_sealed_is_reported() -> None:
    original = record(Action.VIEW, detail={"n": 1})
    copy = insert_copy_of(original.pk)
    report = check_log(seal_first=False)
    assert [p.entry_id for p in report.problems] == [copy]
    assert not check_log().ok


def test_an_entry_written_before_entries_had_a_nonce_still_verifies_and_its_copy_is_caught() -> (
    None
):
    # As record() wrote them before: a MAC over the content, no nonce.
    old = AuditEntry(at=timezone.now(), action="view", detail={"n": 0})
    old.entry_mac = old.compute_mac()
    old.save()
    record(Action.VIEW, detail={"n": 1})
    assert check_log().ok
    copy = insert_copy_of(old.pk)
    assert [p.entry_id for p in check_log().problems] == [copy]


def test_an_entry_taken_off_the_chain_to_be_sealed_again_at_its_end_is_reported() -> None:
    entries = sealed_log(5)
    moved = entries[1]
    run_raw(
        "UPDATE audit_auditentry SET seq = NULL, previous_hash = '', entry_hash = NULL "
        "WHERE id = %s",
        [moved.pk],
    )
    report = check_log()
    assert AuditEntry.objects.get(pk=moved.pk).seq == 6  # sealed again, at the end
    assert not report.ok
    assert report.problems[0].entry_id == entries[2].pk
    assert "removed" in report.problems[0].message


def test_two_entries_whose_places_were_swapped_are_reported() -> None:
    entries = sealed_log(5)
    first, second = entries[1], entries[3]
    run_raw("UPDATE audit_auditentry SET seq = -1 WHERE id = %s", [first.pk])
    run_raw("UPDATE audit_auditentry SET seq = %s WHERE id = %s", [first.seq, second.pk])
    run_raw("UPDATE audit_auditentry SET seq = %s WHERE id = %s", [second.seq, first.pk])
    report = check_log()
    assert not report.ok
    assert {p.entry_id for p in report.problems} >= {first.pk, second.pk}


def old_unsealed_entry(age: datetime.timedelta) -> AuditEntry:
    entry = AuditEntry(at=timezone.now() - age, action="view", nonce="ab" * 16)
    entry.entry_mac = entry.compute_mac()
    entry.save()
    return entry


def test_entries_left_unsealed_past_the_limit_are_an_alarm(settings, caplog) -> None:
    settings.AUDIT_CHECKPOINT_SECONDS = 60
    assert seal_alarm_after() == datetime.timedelta(minutes=5)
    old_unsealed_entry(datetime.timedelta(minutes=20))
    old_unsealed_entry(datetime.timedelta(minutes=7))
    record(Action.VIEW)  # written just now: waiting is normal
    report = check_log()
    assert report.ok  # nothing was tampered with: an alarm, not a finding
    assert any(
        "2 entries had waited more than 5 minutes to be sealed" in n for n in report.notes
    ), report.notes
    # The worker's run, when it starts again, says the same in the service's log.
    old_unsealed_entry(datetime.timedelta(minutes=9))
    with caplog.at_level(logging.ERROR, logger="doorway.audit.tasks"):
        tasks.checkpoint_now.call()
    assert "1 audit entries waited more than" in caplog.text


def test_no_alarm_while_the_worker_checkpoints(settings) -> None:
    settings.AUDIT_CHECKPOINT_SECONDS = 60
    checkpoint()
    # An entry of a long transaction commits late with an early time; a checkpoint was
    # written since, so the worker is running and will seal it.
    old_unsealed_entry(datetime.timedelta(minutes=20))
    report = check_log()
    assert report.ok
    assert not [n for n in report.notes if "waited" in n]

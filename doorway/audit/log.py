"""Writing and checking the audit log.

`record(...)` is the only way an entry is written. It runs inside its own atomic
block and locks the chain head, so entries are chained in the order they are written;
inside `chained_at_the_end()` a long transaction's entries are chained together at its end.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from doorway.audit.context import current_request
from doorway.audit.models import GENESIS, Action, AuditEntry, ChainHead

# Entries gathered by `chained_at_the_end`, when one is open.
_gathered: ContextVar[list[AuditEntry] | None] = ContextVar("doorway_audit_gathered", default=None)


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # axes (configured from the proxy settings) has already worked the address out.
    address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def record(
    action: Action | str,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    participant: Any = None,
    subject: models.Model | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. `participant` and `subject` may be model instances or ids.
    Without `request`, the request being served (if any) gives the address and path."""
    if request is None:
        request = current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    participant_id = getattr(participant, "pk", participant)
    entry = AuditEntry(
        at=timezone.now(),
        action=str(action),
        actor_id=str(actor.pk) if actor is not None else "",
        actor_username=actor.get_username() if actor is not None else "",
        participant_id=str(participant_id) if participant_id else "",
        object_type=subject._meta.label if subject is not None else "",
        object_id=str(subject.pk) if subject is not None else "",
        ip_address=client_address(request),
        # Paths hold opaque ids only; the query string may hold a search term, so not it.
        path=request.path[:300] if request is not None else "",
        reason=reason,
        detail=detail or {},
    )
    gathered = _gathered.get()
    if gathered is not None:
        gathered.append(entry)
        return entry
    _chain([entry])
    return entry


def _chain(entries: list[AuditEntry]) -> None:
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        for entry in entries:
            entry.previous_hash = head.last_hash
            entry.entry_hash = entry.compute_hash()
            head.last_hash = entry.entry_hash
        if len(entries) == 1:
            entries[0].save()
        else:
            # Inserted while the head is locked, so their ids follow the chain's order.
            AuditEntry.objects.bulk_create(entries, batch_size=500)
        head.last_entry_id = entries[-1].pk
        head.entries += len(entries)
        head.save()


@contextmanager
def chained_at_the_end() -> Iterator[None]:
    """For one long transaction (an import of thousands of rows): the entries its
    actions write are gathered, then chained and written together when the block ends,
    still inside that transaction, so they commit or roll back with the changes they
    record. Every audited action locks the chain head until its transaction ends: this
    way a long transaction holds it for the moment of writing its entries, not for its
    whole length, and the people reading records meanwhile are not kept waiting."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("chained_at_the_end() belongs inside the transaction it audits.")
    gathered: list[AuditEntry] = []
    token = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(token)
    if gathered:
        _chain(gathered)


@dataclass(frozen=True)
class Problem:
    entry_id: int | None
    message: str


def verify(batch_size: int = 5000) -> Problem | None:
    """Walk the chain from the start; return the first entry that was edited or whose
    predecessor was removed, or None when the log is intact."""
    previous = GENESIS
    last_id = 0
    count = 0
    for entry in _in_order(batch_size):
        if entry.previous_hash != previous:
            return Problem(entry.pk, "an entry before this one was removed or replaced")
        if entry.compute_hash() != entry.entry_hash:
            return Problem(entry.pk, "this entry was edited after it was written")
        previous = entry.entry_hash
        last_id = entry.pk
        count += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is None:
        return None if count == 0 else Problem(None, "the chain head is missing")
    if head.last_entry_id != last_id or head.last_hash != previous or head.entries != count:
        return Problem(
            head.last_entry_id or None, "the newest entries were removed or the head was altered"
        )
    return None


def _in_order(batch_size: int) -> Iterator[AuditEntry]:
    last = 0
    while True:
        batch = list(AuditEntry.objects.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].pk

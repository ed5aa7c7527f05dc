"""Re-encrypting stored values under the newest field key, without losing an edit.

Rotation runs while people work. It used to read a batch of rows and write the tokens
it had read back re-encrypted, by primary key: a note edited between the read and the
write came back with its old text. Now each row is written with a compare: the UPDATE
names the tokens it read, so a row changed since then matches nothing and is read
again (by then it is usually under the newest key already: the servers write with it).
A batch is one transaction; on PostgreSQL an edit that comes in while the batch holds
a row waits for that batch to commit, then edits the re-encrypted row.

A row already under the newest key is skipped, so a rotation stopped half-way (a crash,
a deploy) resumes where it was when run again, and a run that finds nothing to do says
so: the old keys may then be removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import OperationalError, connection, models, transaction

from doorway import encryption

# Tries at one row an edit keeps changing under the rotation, before it is left for the
# next run (and reported as left).
ATTEMPTS = 5


@dataclass
class Progress:
    rotated: int = 0
    # Already under the newest key: done by an earlier run, or written since.
    skipped: int = 0
    # Changed by an edit at every attempt: still under an older key.
    left: int = 0


def reencrypt(tokens: list[str | None]) -> list[str | None]:
    """The row's tokens under the newest key. Between the read and the compared write:
    tests put an edit here."""
    return [encryption.rotate(t) if t else t for t in tokens]


def rotate_model(
    model: type[models.Model],
    columns: list[str],
    batch_size: int,
    report: Callable[[Progress], None] | None = None,
) -> Progress:
    """Raw SQL on the stored tokens, so values are never decrypted into Python objects
    and nothing else about the rows changes (the history and audit stay as they are)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = quote(str(model._meta.pk.column))
    cols = ", ".join(quote(c) for c in columns)
    progress = Progress()
    last: Any = None
    while True:
        for attempt in range(ATTEMPTS):
            batch = Progress()
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        where = f"WHERE {pk} > %s " if last is not None else ""
                        cursor.execute(
                            f"SELECT {pk}, {cols} FROM {table} {where}"  # noqa: S608
                            f"ORDER BY {pk} LIMIT %s",
                            ([last] if last is not None else []) + [batch_size],
                        )
                        rows = cursor.fetchall()
                    for row_pk, *tokens in rows:
                        _rotate_row(table, pk, columns, row_pk, tokens, batch)
                break
            except OperationalError:
                # A deadlock with an edit holding rows of this batch: PostgreSQL undid
                # the batch; do it again.
                if attempt == ATTEMPTS - 1:
                    raise
        if not rows:
            return progress
        progress.rotated += batch.rotated
        progress.skipped += batch.skipped
        progress.left += batch.left
        last = rows[-1][0]
        if report is not None:
            report(progress)


def _rotate_row(
    table: str, pk: str, columns: list[str], row_pk: Any, tokens: list[Any], progress: Progress
) -> None:
    quote = connection.ops.quote_name
    for _attempt in range(ATTEMPTS):
        if not any(tokens):
            return  # nothing encrypted in this row
        if all(not t or encryption.under_newest_key(t) for t in tokens):
            progress.skipped += 1
            return
        new = reencrypt(tokens)
        sets = ", ".join(f"{quote(c)} = %s" for c in columns)
        compare = " AND ".join(
            f"{quote(c)} IS NULL" if t is None else f"{quote(c)} = %s"
            for c, t in zip(columns, tokens, strict=True)
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {sets} WHERE {pk} = %s AND {compare}",  # noqa: S608
                [*new, row_pk, *(t for t in tokens if t is not None)],
            )
            if cursor.rowcount == 1:
                progress.rotated += 1
                return
            # Changed since it was read: read it again.
            cursor.execute(
                f"SELECT {', '.join(quote(c) for c in columns)} FROM {table} "  # noqa: S608
                f"WHERE {pk} = %s",
                [row_pk],
            )
            again = cursor.fetchone()
        if again is None:
            return  # deleted meanwhile: nothing left to rotate
        tokens = list(again)
    progress.left += 1

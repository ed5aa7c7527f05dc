"""Writing many rows fast, the way the models would store them.

Rows are plain tuples in a table's declared column order, gathered per table and
written in batches: PostgreSQL's COPY, or one `executemany` INSERT elsewhere. Values
are what the model fields would store: on SQLite each goes through its field's own
`get_db_prep_value`; on PostgreSQL psycopg adapts the Python values and JSON is dumped
as the field's encoder would. Encrypted fields are given `seal(text)`: each value gets a
Fernet token of its own (its own random IV), as the app stores it, but the tokens are
made when their table is flushed, a batch at a time (`make_tokens`), so that AES runs
over whole batches instead of once per value. A value sealed once and written in two
rows (a contact and its history version) carries the same token in both.

Nothing here sends a signal, writes history or audits: the callers write the history
rows themselves, and the run writes one audit entry of its own.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import queue
import random
import struct
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.db import connection
from django.db import models as dj
from django.db.models.fields.related import ForeignKey

from doorway.encryption import ENCRYPTED_FIELD_TYPES, fernet

BATCH = 20000

# A row's id: a UUID from the ORM, or the 32 hex digits of one drawn here.
Id = uuid.UUID | str


# The first configured key's two halves (Fernet's signing key, then its AES key).
_keys: list[bytes] = []


def use_current_keys() -> None:
    """Encrypt this run's values under the first configured key (the one that encrypts,
    as `MultiFernet` does), looked up once, not per value."""
    fernet()  # refuses a missing or malformed key, as the fields would
    key = base64.urlsafe_b64decode(settings.FIELD_ENCRYPTION_KEYS[0])
    _keys[:] = [key[:16], key[16:]]


class Sealed:
    """A value of an encrypted field, its token still to make (`make_tokens`)."""

    __slots__ = ("text", "token")

    def __init__(self, text: str) -> None:
        self.text = text
        self.token: str | None = None


def seal(text: str) -> Sealed | str:
    """What an encrypted text field stores (a Fernet token under the first key, as
    `EncryptedTextField` stores it), made when its table is flushed: blank stays blank."""
    if not text:
        return ""
    return Sealed(text)


def make_tokens(values: Sequence[Sealed]) -> None:
    """Each value's Fernet token (version, time, a random IV of its own, AES-128-CBC of
    the PKCS7-padded UTF-8 text, HMAC-SHA256), exactly as `Fernet.encrypt` makes one.
    Values of the same length in blocks are chained together, block by block, through
    one AES call per block position over all of them: CBC, computed for many messages
    at once."""
    if not values:
        return
    if not _keys:
        use_current_keys()
    signing, encryption = _keys
    # The single-block AES that CBC chains (each block's input is the previous block's
    # output XORed in here): no value is ever encrypted in ECB mode.
    aes = Cipher(algorithms.AES(encryption), modes.ECB()).encryptor()  # noqa: S305
    head = np.frombuffer(b"\x80" + struct.pack(">Q", int(time.time())), np.uint8)
    data = [value.text.encode() for value in values]
    by_blocks: dict[int, list[int]] = defaultdict(list)
    for i, plain in enumerate(data):
        by_blocks[len(plain) // 16 + 1].append(i)
    for blocks, members in by_blocks.items():
        size = 16 * blocks
        padded = b"".join(
            plain + bytes([size - len(plain)]) * (size - len(plain))
            for plain in (data[i] for i in members)
        )
        plain_blocks = np.frombuffer(padded, np.uint8).reshape(len(members), blocks, 16)
        body = np.empty((len(members), 25 + size), np.uint8)
        body[:, :9] = head
        body[:, 9:25] = np.frombuffer(os.urandom(16 * len(members)), np.uint8).reshape(-1, 16)
        previous = body[:, 9:25]
        for k in range(blocks):
            mixed = (plain_blocks[:, k] ^ previous).tobytes()
            out = body[:, 25 + 16 * k : 41 + 16 * k]
            out[:] = np.frombuffer(aes.update(mixed), np.uint8).reshape(-1, 16)
            previous = out
        for i, row in zip(members, body, strict=True):
            signed = row.tobytes()
            token = signed + hmac.digest(signing, signed, "sha256")
            values[i].token = base64.urlsafe_b64encode(token).decode()


def _token(value: Any) -> Any:
    return value.token if value.__class__ is Sealed else value


# The version and variant bits of a version-4 UUID.
_CLEAR = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_SET = (0x4000 << 64) | (0x8000 << 48)


def new_uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from `rng` (so that ids repeat with the seed), as the 32 hex
    digits every database takes for a UUID column."""
    return f"{(rng.getrandbits(128) & _CLEAR) | _SET:032x}"


def _json(value: Any, *, encoder: type[json.JSONEncoder] | None) -> str | None:
    return None if value is None else json.dumps(value, cls=encoder)


class Table:
    """One table and the columns a caller fills, in this order."""

    def __init__(self, model: type[dj.Model], fields: Sequence[str]) -> None:
        self.model = model
        meta = model._meta
        self.name: str = meta.db_table
        self.fields = [meta.get_field(name) for name in fields]
        self.columns = [str(f.column) for f in self.fields]  # type: ignore[union-attr]  # the fields named are columns, never reverse relations
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        self._convert = self._converters()
        self._sealed = [
            i for i, f in enumerate(self.fields) if isinstance(f, ENCRYPTED_FIELD_TYPES)
        ]

    def _converters(self) -> list[Callable[[Any], Any] | None]:
        postgres = connection.vendor == "postgresql"
        out: list[Callable[[Any], Any] | None] = []
        for field in self.fields:
            target = field.target_field if isinstance(field, ForeignKey) else field
            if isinstance(target, ENCRYPTED_FIELD_TYPES):
                out.append(_token)  # its token, made in `prepared` (or blank)
            elif isinstance(target, dj.JSONField):
                out.append(partial(_json, encoder=target.encoder))
            elif postgres:
                out.append(None)
            else:
                out.append(
                    lambda v, f=target: f.get_db_prep_value(v, connection, prepared=False)  # type: ignore[misc]  # mypy cannot infer a lambda that binds its field as a default
                )
        return out

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)

    def prepared(self) -> list[tuple[Any, ...]]:
        if self._sealed:
            make_tokens(
                [
                    value
                    for row in self.rows
                    for i in self._sealed
                    if (value := row[i]).__class__ is Sealed and value.token is None
                ]
            )
        converters = list(enumerate(self._convert))
        if all(c is None for _, c in converters):
            return self.rows
        active = [(i, c) for i, c in converters if c is not None]
        out = []
        for row in self.rows:
            values = list(row)
            for i, convert in active:
                values[i] = convert(values[i])
            out.append(tuple(values))
        return out

    def flush(self, sink: Callable[[Table, list[tuple[Any, ...]]], None] | None = None) -> None:
        if not self.rows:
            return
        rows = self.prepared()
        (sink or write_now)(self, rows)
        self.written += len(self.rows)
        self.rows = []

    def copy_sql(self) -> str:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        return f"COPY {quote(self.name)} ({columns}) FROM STDIN"


def write_now(table: Table, rows: list[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(table.copy_sql()) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            quote = connection.ops.quote_name
            columns = ", ".join(quote(c) for c in table.columns)
            marks = ", ".join(["%s"] * len(table.columns))
            cursor.executemany(
                f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})",  # noqa: S608
                rows,
            )


class Background:
    """COPY on a second thread, over the same connection and in the same transaction,
    while the first thread makes the next rows: the database's work and Python's overlap.
    Only one thread uses the connection at a time: the first does not touch it until
    `finish()` has waited for every batch."""

    def __init__(self) -> None:
        self.raw = connection.connection  # psycopg's connection, in the run's transaction
        self.batches: queue.Queue[tuple[Table, list[tuple[Any, ...]]] | None] = queue.Queue(4)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="synth-copy", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while (batch := self.batches.get()) is not None:
            if self.error is not None:
                continue  # drain: the first thread raises it
            table, rows = batch
            try:
                with self.raw.cursor() as cursor, cursor.copy(table.copy_sql()) as copy:
                    for row in rows:
                        copy.write_row(row)
            except BaseException as error:  # handed to the first thread
                self.error = error

    def __call__(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        if self.error is not None:
            raise self.error
        self.batches.put((table, rows))

    def finish(self) -> None:
        self.batches.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


class Writer:
    """The tables of one run, flushed when a batch fills and at each commit."""

    def __init__(self) -> None:
        self.tables: dict[str, Table] = {}
        self.background: Background | None = None

    def start_background(self) -> None:
        """From now until `finish`, batches are copied on a second thread (PostgreSQL)."""
        self.flush()
        self.background = Background()

    def finish(self) -> None:
        self.flush()
        if self.background is not None:
            background, self.background = self.background, None
            background.finish()

    def table(self, key: str, model: type[dj.Model], fields: Sequence[str]) -> Table:
        self.tables[key] = Table(model, fields)
        return self.tables[key]

    def flush_full(self) -> None:
        for table in self.tables.values():
            if len(table.rows) >= BATCH:
                table.flush(self.background)

    def flush(self) -> None:
        for table in self.tables.values():
            table.flush(self.background)

    def counts(self) -> dict[str, int]:
        return {key: t.written for key, t in self.tables.items() if t.written}


def reset_sequences(models: Sequence[type[dj.Model]]) -> None:
    """After rows were written with explicit integer ids, move each table's sequence past
    them (PostgreSQL; SQLite follows the largest id by itself)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# --- PostgreSQL: referential checks once per table, not once per row ----------------------


def can_check_references_in_bulk() -> bool:
    """Whether this PostgreSQL session may pause its per-row foreign-key triggers
    (`session_replication_role`, a superuser's setting)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser')")
        return bool(cursor.fetchone()[0] == "on")


def pause_row_checks(paused: bool) -> None:
    """Inside the run's one transaction only (SET LOCAL): per-row foreign-key triggers
    off while the rows are copied in, then `check_references` checks every reference
    of every row at once, before anything commits."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL session_replication_role = {'replica' if paused else 'DEFAULT'}")


def check_references(tables: Sequence[Table]) -> None:
    """Every foreign key of every table written points at a row that exists: one
    anti-join per key instead of one lookup per row. Raises on the first dangling one."""
    quote = connection.ops.quote_name
    seen: set[tuple[str, str]] = set()
    with connection.cursor() as cursor:
        # Room to hash a few million ids in memory (this transaction only).
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for table in tables:
            for field in table.model._meta.concrete_fields:
                if not isinstance(field, ForeignKey) or not field.db_constraint:  # type: ignore[attr-defined]  # django-stubs: ForeignKey declares no db_constraint
                    continue
                if (table.name, field.column) in seen:
                    continue
                seen.add((table.name, field.column))
                parent = field.target_field
                parent_table = str(parent.model._meta.db_table)
                sql = (
                    f"SELECT count(*) FROM {quote(table.name)} c WHERE c.{quote(field.column)} "  # noqa: S608
                    f"IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                    f"{quote(parent_table)} p WHERE p.{quote(str(parent.column))} = "
                    f"c.{quote(field.column)})"
                )
                cursor.execute(sql)
                missing = cursor.fetchone()[0]
                if missing:
                    raise RuntimeError(
                        f"{missing} rows of {table.name} refer to no {parent.model._meta.label}."
                    )


def secondary_indexes(tables: Sequence[Table]) -> list[tuple[str, str]]:
    """Every index of these tables that a copied row would update, and what depends on
    it, as (statement that drops it, statement that makes it again from its own
    definition, as PostgreSQL prints it), in the order to drop them:

    - the foreign keys, of any table, that point at these tables (they hang on the
      primary keys and unique constraints below; made again last, each checked by
      PostgreSQL over every row as it is added);
    - the primary keys and unique constraints of these tables (a random UUID inserted
      into a large B-tree is a random page read and a page written to the WAL; a
      sorted build after the load writes each page once);
    - their other indexes, plain or unique."""
    names = sorted({t.name for t in tables})
    quote = connection.ops.quote_name
    found: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.confrelid
            WHERE c.contype = 'f' AND t.relname = ANY(%s)
            ORDER BY 1, 2
            """,
            [names],
        )
        foreign = cursor.fetchall()
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype IN ('p', 'u') AND t.relname = ANY(%s)
            ORDER BY 1, 2
            """,
            [names],
        )
        keys = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1
            """,
            [names],
        )
        indexes = cursor.fetchall()
    for table, name, definition in [*foreign, *keys]:
        alter = f"ALTER TABLE {table}"
        found.append(
            (
                f"{alter} DROP CONSTRAINT {quote(name)}",
                f"{alter} ADD CONSTRAINT {quote(name)} {definition}",
            )
        )
    found.extend((f"DROP INDEX {name}", str(definition)) for name, definition in indexes)
    return found


def drop_indexes(indexes: Sequence[tuple[str, str]]) -> None:
    """Inside the run's one transaction: the indexes go while the rows are copied in
    (each row would otherwise update each of them), and `build_indexes` makes them
    again, from their own definitions, before anything commits."""
    with connection.cursor() as cursor:
        for drop, _create in indexes:
            cursor.execute(drop)


def build_indexes(indexes: Sequence[tuple[str, str]]) -> None:
    if not indexes:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # The indexes and keys first, then the foreign keys that need them.
        for _drop, create in reversed(indexes):
            cursor.execute(create)

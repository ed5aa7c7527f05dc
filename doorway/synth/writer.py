"""Writing many rows fast, the way the models would store them.

Rows are plain tuples in a table's declared column order, gathered per table and
written in batches: PostgreSQL's COPY, or one `executemany` INSERT elsewhere. Values
are what the model fields would store: on SQLite each goes through its field's own
`get_db_prep_value`; on PostgreSQL psycopg adapts the Python values and JSON is dumped
as the field's encoder would. Encrypted fields are given their tokens already made
(`seal`), so that the cost of encryption is paid once per field, as the app pays it.

Nothing here sends a signal, writes history or audits: the callers write the history
rows themselves, and the run writes one audit entry of its own.
"""

from __future__ import annotations

import json
import queue
import random
import threading
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection
from django.db import models as dj
from django.db.models.fields.related import ForeignKey

from doorway.encryption import ENCRYPTED_FIELD_TYPES, fernet

BATCH = 20000

# A row's id: a UUID from the ORM, or the 32 hex digits of one drawn here.
Id = uuid.UUID | str


_keys: list[Fernet] = []


def use_current_keys() -> None:
    """Encrypt this run's values under the first configured key (the one that encrypts,
    as `MultiFernet` does), looked up once, not per value."""
    fernet()  # refuses a missing or malformed key, as the fields would
    _keys[:] = [Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode())]


def seal(text: str) -> str:
    """The stored form of an encrypted text field (a Fernet token under the first key,
    as `EncryptedTextField` stores it): blank stays blank."""
    if not text:
        return ""
    return (_keys[0] if _keys else fernet()).encrypt(text.encode()).decode()


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

    def _converters(self) -> list[Callable[[Any], Any] | None]:
        postgres = connection.vendor == "postgresql"
        out: list[Callable[[Any], Any] | None] = []
        for field in self.fields:
            target = field.target_field if isinstance(field, ForeignKey) else field
            if isinstance(target, ENCRYPTED_FIELD_TYPES):
                out.append(None)  # already a token (or blank)
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
    """The plain (not unique, not primary-key, not constraint) indexes of these tables:
    (name, its own CREATE INDEX statement, as PostgreSQL prints it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1
            """,
            [sorted({t.name for t in tables})],
        )
        return [(str(name), str(definition)) for name, definition in cursor.fetchall()]


def drop_indexes(indexes: Sequence[tuple[str, str]]) -> None:
    """Inside the run's one transaction: the plain indexes go while the rows are copied
    in (each row would otherwise update each of them), and `build_indexes` makes them
    again, from their own definitions, before anything commits."""
    with connection.cursor() as cursor:
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")


def build_indexes(indexes: Sequence[tuple[str, str]]) -> None:
    if not indexes:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)

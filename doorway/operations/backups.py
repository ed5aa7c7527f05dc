"""`doorway backup` and `doorway restore`: the database, kept where the server cannot read it.

A backup is one file: a tar stream of `manifest.json` and the database (`database.sqlite3`
from SQLite's online backup API, or `database.pgdump` from `pg_dump --format=custom`),
encrypted with age (age-encryption.org/v1, through pyrage) for the recipient in
DOORWAY_BACKUP_RECIPIENT. The server holds only that public half; the identity that
decrypts lives off the server. It is not one of the running keys, so a stolen server
yields no readable backup, and a stolen backup without the identity yields nothing.
By hand, with the age tool: `age -d -i backup-identity.txt FILE | tar x`.

Integrity: age authenticates every 64 KiB chunk and the end of the stream, so a changed,
cut or lengthened file fails to decrypt; the manifest's SHA-256 of each file then checks
the database copy against what was read when the backup was made.

Consistency: SQLite's backup API copies one snapshot of every page, and the manifest's
counts are read from that copy. On PostgreSQL one REPEATABLE READ transaction exports its
snapshot, `pg_dump --snapshot` dumps that same snapshot, and the counts and the audit
chain's head are read inside it: the manifest and the dump describe the same moment.

Streams: the database is copied to a private temporary directory (TMPDIR must have room
for one copy), then read in chunks through SHA-256, tar and age; restoring decrypts the
same way into a private temporary directory. Nothing holds the database in memory.

A restore goes only into an empty database, and verifies what it restored: the counts of
every table, the migrations, the key check and the audit chain.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

import pyrage
from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyrage import x25519

from doorway.audit import checkpoints, log
from doorway.audit.models import AuditEntry, ChainHead

FORMAT = "doorway-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
SUFFIX = ".backup.age"
CHUNK = 1024 * 1024
# A manifest is a few kilobytes; anything much larger is not one of ours.
MANIFEST_MAX_BYTES = 4 * 1024 * 1024
# tar pads its end with at most a record of zeros (10 KiB by default).
TRAILER_MAX_BYTES = 1024 * 1024


class BackupRefused(Exception):
    """A backup or restore that was not made, and why, in words for whoever runs it.
    Nothing was changed."""


class Cursor(Protocol):
    """What is read of a DB-API cursor (sqlite3's and psycopg's alike)."""

    def execute(self, sql: str, /) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


@dataclass
class Made:
    path: Path
    manifest: dict[str, Any]


@dataclass
class Restored:
    manifest: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    audit_entries: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


# --- Keys ---------------------------------------------------------------------------


def new_identity() -> tuple[str, str]:
    """A new backup key pair: the identity file's text (private, in age's own format) and
    the recipient (public) to configure as DOORWAY_BACKUP_RECIPIENT."""
    identity = x25519.Identity.generate()
    recipient = str(identity.to_public())
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = f"# Doorway backup identity, created {created}\n# public key: {recipient}\n{identity}\n"
    return text, recipient


def read_identities(path: Path) -> list[x25519.Identity]:
    """The identities in an age identity file (comments and blank lines skipped)."""
    try:
        lines = path.read_text().splitlines()
    except OSError as error:
        raise BackupRefused(
            _("The identity file cannot be read: %(error)s") % {"error": error.strerror}
        ) from error
    identities = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(x25519.Identity.from_str(line))
        except pyrage.IdentityError as error:
            raise BackupRefused(
                _("%(file)s is not an age identity file (AGE-SECRET-KEY-1…).") % {"file": path.name}
            ) from error
    if not identities:
        raise BackupRefused(_("%(file)s holds no identity.") % {"file": path.name})
    return identities


def parse_recipient(text: str) -> x25519.Recipient:
    if not text:
        raise BackupRefused(
            _(
                "No backup recipient: set DOORWAY_BACKUP_RECIPIENT to the public key "
                "`doorway backup-key new` printed (age1…)."
            )
        )
    try:
        return x25519.Recipient.from_str(text.strip())
    except pyrage.RecipientError as error:
        raise BackupRefused(_("The backup recipient is not an age public key (age1…).")) from error


# --- Backup -------------------------------------------------------------------------


def make_backup(target: Path, recipient_text: str, using: str = "default") -> Made:
    """Write an encrypted backup of the database to `target` (a directory, where a file
    named by the time is made, or a new file's path). Never overwrites a file."""
    recipient = parse_recipient(recipient_text)
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupRefused(_("Backups support SQLite and PostgreSQL only."))
    created = datetime.now(UTC).replace(microsecond=0)
    path = _backup_path(target, created)
    # Entries waiting to be chained are chained first, so the head describes them all.
    log.seal()
    with tempfile.TemporaryDirectory(prefix="doorway-backup-") as work:
        copy = Path(work) / DATABASE_FILES[vendor]
        if vendor == "sqlite":
            facts = _copy_sqlite(connection, copy)
        else:
            facts = _dump_postgresql(connection, copy)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "doorway_version": _doorway_version(),
            "created_at": created.isoformat(),
            "database": {"vendor": vendor, "server_version": facts.pop("server_version")},
            **facts,
            "files": {copy.name: {"sha256": _sha256(copy), "bytes": copy.stat().st_size}},
        }
        _write_encrypted(path, manifest, copy, recipient)
    return Made(path=path, manifest=manifest)


def _backup_path(target: Path, created: datetime) -> Path:
    path = target / f"doorway-{created:%Y%m%dT%H%M%SZ}{SUFFIX}" if target.is_dir() else target
    if path.exists():
        raise BackupRefused(
            _("%(path)s already exists: a backup never overwrites a file.") % {"path": path}
        )
    if not path.parent.is_dir():
        raise BackupRefused(_("There is no directory %(path)s.") % {"path": path.parent})
    return path


def _doorway_version() -> str:
    try:
        return importlib.metadata.version("doorway")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _copy_sqlite(connection: BaseDatabaseWrapper, copy: Path) -> dict[str, Any]:
    """SQLite's online backup: a consistent copy while the server keeps running."""
    connection.ensure_connection()
    source = connection.connection
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
        cursor = target.cursor()
        cursor.execute("PRAGMA integrity_check")
        if cursor.fetchone()[0] != "ok":
            raise BackupRefused(_("SQLite's integrity check failed on the copy: not backed up."))
        cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
        facts = _facts(cursor, _sqlite_tables(cursor), connection.ops.quote_name)
    finally:
        target.close()
    return {"server_version": version, **facts}


def _sqlite_tables(cursor: Cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [row[0] for row in cursor.fetchall()]


def _postgresql_tables(cursor: Cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def _dump_postgresql(connection: BaseDatabaseWrapper, copy: Path) -> dict[str, Any]:
    """pg_dump of one exported snapshot, and the manifest's facts read in that snapshot."""
    import psycopg

    config = connection.settings_dict
    with psycopg.connect(**_libpq_params(config)) as snapshot_holder:
        cursor: Cursor = snapshot_holder.cursor()
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            [
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-password",
                f"--file={copy}",
            ],
            config,
            _("pg_dump"),
        )
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        facts = _facts(cursor, _postgresql_tables(cursor), connection.ops.quote_name)
        snapshot_holder.rollback()
    return {"server_version": version, **facts}


def _facts(cursor: Cursor, tables: list[str], quote: Any) -> dict[str, Any]:
    """Row counts, migrations and the audit chain, as the copy holds them."""
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - catalog names
        counts[table] = cursor.fetchone()[0]
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    audit = {"entries": 0, "chained": 0, "head": ""}
    if AuditEntry._meta.db_table in counts:
        audit["entries"] = counts[AuditEntry._meta.db_table]
    if ChainHead._meta.db_table in counts:
        cursor.execute(
            f"SELECT entries, last_hash FROM {quote(ChainHead._meta.db_table)} "  # noqa: S608
            "WHERE id = 1"
        )
        row = cursor.fetchone()
        if row is not None:
            audit["chained"], audit["head"] = row[0], row[1]
    return {"migrations": migrations, "tables": counts, "audit": audit}


def _write_encrypted(
    path: Path, manifest: dict[str, Any], copy: Path, recipient: x25519.Recipient
) -> None:
    """tar → age → a new file, through a pipe, so neither is ever whole in memory; the
    file appears under its name only once it is complete and on disk."""
    partial = path.with_name(path.name + ".partial")
    manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode()
    mtime = int(datetime.fromisoformat(manifest["created_at"]).timestamp())
    read_end, write_end = os.pipe()
    failure: list[BaseException] = []

    def archive() -> None:
        try:
            with (
                os.fdopen(write_end, "wb") as pipe,
                tarfile.open(fileobj=pipe, mode="w|", format=tarfile.PAX_FORMAT) as tar,
            ):
                tar.addfile(_member(MANIFEST, len(manifest_bytes), mtime), _bytes(manifest_bytes))
                with copy.open("rb") as database:
                    tar.addfile(_member(copy.name, copy.stat().st_size, mtime), database)
        except BaseException as error:
            failure.append(error)

    writer = threading.Thread(target=archive, name="doorway-backup-tar")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        os.close(read_end)
        os.close(write_end)
        raise
    writer.start()
    try:
        with os.fdopen(read_end, "rb") as plain, os.fdopen(fd, "wb") as out:
            pyrage.encrypt_io(plain, out, [recipient])
            out.flush()
            os.fsync(out.fileno())
        writer.join()
        if failure:
            raise failure[0]
        partial.rename(path)
    except BaseException:
        writer.join()
        partial.unlink(missing_ok=True)
        raise


def _member(name: str, size: int, mtime: int) -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.size = size
    member.mode = 0o600
    member.mtime = mtime
    return member


def _bytes(data: bytes) -> IO[bytes]:
    import io

    return io.BytesIO(data)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- Restore ------------------------------------------------------------------------


def restore_backup(path: Path, identities: list[x25519.Identity]) -> Restored:
    """Restore a backup into the configured database, which must be empty, then verify
    it. Refusals (BackupRefused) change nothing; problems found after restoring are in
    the answer's `problems`."""
    connection = connections["default"]
    _refuse_unless_empty(connection)
    if not path.is_file():
        raise BackupRefused(_("There is no backup file %(path)s.") % {"path": path})
    with tempfile.TemporaryDirectory(prefix="doorway-restore-") as work:
        manifest = unpack(path, identities, Path(work))
        _refuse_unless_restorable(manifest, connection)
        copy = Path(work) / DATABASE_FILES[manifest["database"]["vendor"]]
        # Again, just before writing: nobody has begun using it meanwhile.
        _refuse_unless_empty(connection)
        if connection.vendor == "sqlite":
            _restore_sqlite(connection, copy)
        else:
            _restore_postgresql(connection, copy)
    return verify_restored(manifest)


def _refuse_unless_empty(connection: BaseDatabaseWrapper) -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupRefused(
            ngettext(
                "The database already holds %(n)d table: a backup is restored only into "
                "an empty database. Create a new, empty database, point DATABASE_URL at "
                "it and run the restore again. Nothing was changed.",
                "The database already holds %(n)d tables: a backup is restored only into "
                "an empty database. Create a new, empty database, point DATABASE_URL at "
                "it and run the restore again. Nothing was changed.",
                len(tables),
            )
            % {"n": len(tables)}
        )


def unpack(path: Path, identities: list[x25519.Identity], work: Path) -> dict[str, Any]:
    """Decrypt and unpack a backup into `work`, checking every file against the manifest.
    Returns the manifest; refuses (BackupRefused) a backup that fails any check."""
    read_end, write_end = os.pipe()
    failure: list[BaseException] = []

    def decrypt() -> None:
        try:
            with path.open("rb") as sealed, os.fdopen(write_end, "wb") as pipe:
                pyrage.decrypt_io(sealed, pipe, identities)
        except BaseException as error:
            failure.append(error)

    reader = threading.Thread(target=decrypt, name="doorway-restore-decrypt")
    reader.start()
    manifest: dict[str, Any] | None = None
    damaged: BackupRefused | None = None
    with os.fdopen(read_end, "rb") as plain:
        try:
            manifest = _extract(plain, work)
            # What follows the archive is tar's padding: read it, so age authenticates
            # the whole stream, up to its last chunk.
            trailer = 0
            while chunk := plain.read(CHUNK):
                trailer += len(chunk)
                if trailer > TRAILER_MAX_BYTES:
                    raise BackupRefused(_("The backup holds more than its archive."))
        except (BackupRefused, tarfile.TarError, ValueError, OSError, KeyError) as error:
            damaged = (
                error
                if isinstance(error, BackupRefused)
                else BackupRefused(_("The backup's archive cannot be read."))
            )
        finally:
            # Closing the pipe's end lets a decryption still writing stop.
            plain.close()
            reader.join()
    if failure:
        # The decryption's own failure explains any damage the archive showed.
        raise _decryption_refusal(failure[0], path)
    if damaged is not None:
        raise damaged
    assert manifest is not None
    return manifest


def _decryption_refusal(error: BaseException, path: Path) -> BackupRefused:
    if isinstance(error, pyrage.DecryptError) and "no matching keys" in str(error).lower():
        return BackupRefused(
            _(
                "%(file)s was not made for this identity: the identity given does not "
                "decrypt it. Nothing was changed."
            )
            % {"file": path.name}
        )
    if isinstance(error, BrokenPipeError):
        return BackupRefused(_("The backup's archive cannot be read. Nothing was changed."))
    return BackupRefused(
        _("%(file)s is damaged or was altered: it fails age's authentication. Nothing was changed.")
        % {"file": path.name}
    )


def _extract(plain: IO[bytes], work: Path) -> dict[str, Any]:
    manifest: dict[str, Any] | None = None
    seen: set[str] = set()
    with tarfile.open(fileobj=plain, mode="r|") as tar:
        for member in tar:
            if not member.isfile() or member.name in seen:
                raise BackupRefused(_("The backup holds something other than its files."))
            seen.add(member.name)
            source = tar.extractfile(member)
            assert source is not None
            if manifest is None:
                if member.name != MANIFEST or member.size > MANIFEST_MAX_BYTES:
                    raise BackupRefused(_("The backup does not begin with its manifest."))
                manifest = _read_manifest(source.read())
                continue
            expected = manifest["files"].get(member.name)
            if expected is None:
                raise BackupRefused(_("The backup holds a file its manifest does not list."))
            digest = hashlib.sha256()
            size = 0
            with (work / member.name).open("xb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            if digest.hexdigest() != expected["sha256"] or size != expected["bytes"]:
                raise BackupRefused(
                    _(
                        "%(file)s in the backup does not match its checksum: the backup was "
                        "altered. Nothing was changed."
                    )
                    % {"file": member.name}
                )
    if manifest is None:
        raise BackupRefused(_("The backup is empty."))
    missing = set(manifest["files"]) - seen
    if missing:
        raise BackupRefused(
            _("The backup lacks %(files)s, which its manifest lists.")
            % {"files": ", ".join(sorted(missing))}
        )
    return manifest


def _read_manifest(raw: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(raw)
    except ValueError as error:
        raise BackupRefused(_("The backup's manifest cannot be read.")) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(_("This is not a Doorway backup."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupRefused(
            _("This backup's format (%(version)s) is not one this Doorway reads.")
            % {"version": manifest.get("format_version")}
        )
    vendor = manifest["database"]["vendor"]
    if set(manifest["files"]) != {DATABASE_FILES.get(vendor)}:
        raise BackupRefused(_("The backup's manifest does not list its database."))
    return manifest


def _refuse_unless_restorable(manifest: dict[str, Any], connection: BaseDatabaseWrapper) -> None:
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupRefused(
            _(
                "This is a backup of a %(backup)s database; DATABASE_URL names a %(here)s "
                "one. Restore it into %(backup)s. Nothing was changed."
            )
            % {"backup": vendor, "here": connection.vendor}
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        raise BackupRefused(
            _(
                "This backup was made by a newer Doorway (%(version)s): %(n)d of its "
                "migrations are unknown here, e.g. %(example)s. Install that version, then "
                "restore. Nothing was changed."
            )
            % {
                "version": manifest["doorway_version"],
                "n": len(unknown),
                "example": unknown[0],
            }
        )


def _restore_sqlite(connection: BaseDatabaseWrapper, copy: Path) -> None:
    source = sqlite3.connect(copy)
    try:
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_postgresql(connection: BaseDatabaseWrapper, copy: Path) -> None:
    # One transaction: a restore that fails half-way leaves the database empty.
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={connection.settings_dict['NAME']}",
            str(copy),
        ],
        connection.settings_dict,
        _("pg_restore"),
    )


def verify_restored(manifest: dict[str, Any]) -> Restored:
    """What the restored database holds, against the manifest, the keys and the audit
    chain."""
    from doorway.keycheck import key_problems

    connection = connections["default"]
    restored = Restored(manifest=manifest)
    with connection.cursor() as cursor:
        tables = (
            _sqlite_tables(cursor) if connection.vendor == "sqlite" else _postgresql_tables(cursor)
        )
        facts = _facts(cursor, tables, connection.ops.quote_name)
    for table, count in manifest["tables"].items():
        found = facts["tables"].get(table)
        if found != count:
            restored.problems.append(
                _("%(table)s holds %(found)s rows; the backup had %(count)d.")
                % {"table": table, "found": found, "count": count}
            )
    extra = set(facts["tables"]) - set(manifest["tables"])
    if extra:
        restored.problems.append(
            _("Tables the backup did not have: %(tables)s.") % {"tables": ", ".join(sorted(extra))}
        )
    if facts["migrations"] != manifest["migrations"]:
        restored.problems.append(_("The migrations applied differ from the backup's."))
    waiting = _migrations_waiting(connection)
    if waiting:
        restored.notes.append(
            ngettext(
                "%(n)d migration of this Doorway is not applied yet: run `doorway migrate`.",
                "%(n)d migrations of this Doorway are not applied yet: run `doorway migrate`.",
                waiting,
            )
            % {"n": waiting}
        )
    # A backup older than this Doorway lacks columns its models read until it is migrated.
    try:
        restored.problems += key_problems()
    except DatabaseError:
        restored.problems.append(
            _(
                "The key check could not read the restored database (migrations waiting?): "
                "run `doorway migrate`, then `doorway check`."
            )
        )
    try:
        _verify_audit(manifest, restored)
    except DatabaseError:
        restored.problems.append(
            _(
                "The audit log could not be read (migrations waiting?): run `doorway "
                "migrate`, then `doorway audit verify`."
            )
        )
    return restored


def _migrations_waiting(connection: BaseDatabaseWrapper) -> int:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _verify_audit(manifest: dict[str, Any], restored: Restored) -> None:
    """`doorway audit verify`'s check, without chaining anything: against the backup's
    head, and against the signed checkpoints up to the backup's length. Checkpoints
    signed after the backup name entries written after it, which it cannot hold."""
    audit = manifest["audit"]
    loaded = checkpoints.load()
    later = [point for point in loaded.checkpoints if point.entries > audit["chained"]]
    with _checkpoints_up_to(audit["chained"], loaded) as folder:
        original = settings.AUDIT_CHECKPOINTS
        settings.AUDIT_CHECKPOINTS = folder
        try:
            report = log.check_log(seal_first=False)
        finally:
            settings.AUDIT_CHECKPOINTS = original
    restored.problems += [
        _("Audit log: %(problem)s") % {"problem": line} for line in report.lines()
    ]
    restored.audit_entries = report.entries + report.unsealed
    head = ChainHead.objects.filter(pk=1).values_list("last_hash", flat=True).first() or ""
    if (report.entries, report.entries + report.unsealed) != (
        audit["chained"],
        audit["entries"],
    ) or (audit["chained"] and head != audit["head"]):
        restored.problems.append(
            _(
                "Audit log: the restored chain is not the one backed up (%(n)d entries, "
                "head %(head)s)."
            )
            % {"n": audit["chained"], "head": audit["head"][:12]}
        )
    if later:
        newest = max(later, key=lambda point: point.entries)
        restored.notes.append(
            _(
                "%(n)d signed audit checkpoints are later than this backup (the newest signed "
                "%(entries)d entries; the backup holds %(chained)d): the entries written after "
                "the backup was made are not in it."
            )
            % {"n": len(later), "entries": newest.entries, "chained": audit["chained"]}
        )


@contextmanager
def _checkpoints_up_to(entries: int, loaded: checkpoints.Loaded) -> Iterator[Path]:
    """A copy of the checkpoint folder without the good checkpoints signed after the
    backup (unreadable or forged files stay, to be reported)."""
    later = {point.name for point in loaded.checkpoints if point.entries > entries}
    source = checkpoints.directory()
    with tempfile.TemporaryDirectory(prefix="doorway-checkpoints-") as folder:
        if source.is_dir():
            for path in source.glob("*.json"):
                if path.name not in later:
                    shutil.copy2(path, Path(folder) / path.name)
        yield Path(folder)


# --- PostgreSQL's tools ---------------------------------------------------------------

_LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "service", "passfile")


def _libpq_params(config: dict[str, Any]) -> dict[str, Any]:
    params = {
        "dbname": config.get("NAME"),
        "user": config.get("USER"),
        "password": config.get("PASSWORD"),
        "host": config.get("HOST"),
        "port": str(config.get("PORT") or ""),
    }
    params.update((key, config.get("OPTIONS", {}).get(key)) for key in _LIBPQ_OPTIONS)
    return {key: value for key, value in params.items() if value}


def _run(command: list[str], config: dict[str, Any], tool: str) -> None:
    """Run pg_dump or pg_restore with the connection in its environment (a password on
    the command line would show in the process list)."""
    env = dict(os.environ)
    for key, value in _libpq_params(config).items():
        name = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD"}.get(
            key, f"PG{key.upper()}"
        )
        env[name] = value
    if shutil.which(command[0]) is None:
        raise BackupRefused(
            _("%(tool)s is not installed (Debian: apt-get install postgresql-client).")
            % {"tool": tool}
        )
    finished = subprocess.run(  # noqa: S603 - a fixed tool and arguments we built
        command, env=env, capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        # Its own words name objects and connection problems; its DETAIL lines can
        # quote a row's values, so they are left out.
        said = [
            line
            for line in finished.stderr.splitlines()
            if line.strip() and not line.lstrip().startswith("DETAIL")
        ]
        raise BackupRefused(
            _("%(tool)s failed: %(error)s") % {"tool": tool, "error": "\n".join(said[-20:])}
        )

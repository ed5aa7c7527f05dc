"""The key check: do the configured keys read the data already written?

A server started with a wrong `DOORWAY_FIELD_KEYS` used to serve: people signed in,
every record page answered 500, and a participant registered in that state was written
under the wrong key, unreadable for good once the right key was back. A wrong
`DOORWAY_BLIND_INDEX_KEY` is quieter still: finding her by name and the duplicate check
match nothing. A wrong `DOORWAY_AUDIT_KEY` makes every new entry read as forged.

So each database keeps a canary per key (`keys.KeyCanary`): a known text under the
field keys, its blind-index digest, its audit MAC, written by `doorway migrate` when the
database has none and the keys read what is there. `key_problems()` reads the canaries
and a sample of real rows (the newest encrypted values of every table, participants'
name digests, audit entries' MACs). Doorway refuses to start on any problem: every
management command, `runserver` and `doorway check` through a system check, gunicorn
through `doorway/wsgi.py`.

The checkpoint key does not stop a start: it signs files outside the database, changes
legitimately (`doorway audit new-checkpoint-key`), and a wrong one loses no data. The
check warns when it is not the key that signed the newest checkpoint on disk, since an
auditor holding the old public key cannot check the checkpoints written from then on.

Messages name the key and the table, never a value.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections
from django.utils.translation import gettext as _

from doorway import encryption

logger = logging.getLogger("doorway.keycheck")

# What every canary holds, transformed by its key. Public on purpose: it proves the
# key, and says nothing about anyone.
CANARY_TEXT = "Doorway key canary"
CANARY_TABLE = "keys_keycanary"
# Newest encrypted rows read from each table at start-up.
SAMPLE_ROWS = 5
SAMPLE_PARTICIPANTS = 5
SAMPLE_AUDIT_ENTRIES = 10


def audit_proof(text: str) -> str:
    return hmac.new(settings.AUDIT_CHAIN_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def canary_proofs() -> dict[str, str]:
    """The proof of each key, made with the keys configured now."""
    from doorway.keys.models import KeyCanary

    return {
        KeyCanary.Purpose.FIELD_KEYS: encryption.encrypt(CANARY_TEXT),
        KeyCanary.Purpose.BLIND_INDEX: encryption.blind_index(CANARY_TEXT),
        KeyCanary.Purpose.AUDIT: audit_proof(CANARY_TEXT),
    }


def _nothing_written(using: str) -> bool:
    """A SQLite file that does not exist holds nothing; looking would create it."""
    config = connections[using].settings_dict
    if config["ENGINE"] != "django.db.backends.sqlite3":
        return False
    name = str(config.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return False
    return not Path(name).exists()


def key_problems(using: str = "default") -> list[str]:
    """What the configured keys cannot read of the data already written: empty when
    they read it all (or nothing is written yet). Database errors are the caller's."""
    if _nothing_written(using):
        return []
    tables = set(connections[using].introspection.table_names())
    problems: list[str] = []
    try:
        encryption.fernet()
    except ImproperlyConfigured as error:
        problems.append(str(error))
        field_keys_work = False
    else:
        field_keys_work = True
    canaries = _canaries(using) if CANARY_TABLE in tables else {}
    if field_keys_work:
        field_problems = _field_canary_problems(canaries) + _field_sample_problems(tables, using)
        problems += field_problems
        field_keys_work = not field_problems
    problems += _blind_index_problems(canaries, tables, using, names_readable=field_keys_work)
    problems += _audit_key_problems(canaries, tables, using)
    return problems


def _canaries(using: str) -> dict[str, str]:
    from doorway.keys.models import KeyCanary

    return dict(KeyCanary.objects.using(using).values_list("purpose", "proof"))


def _field_canary_problems(canaries: dict[str, str]) -> list[str]:
    from doorway.keys.models import KeyCanary

    token = canaries.get(KeyCanary.Purpose.FIELD_KEYS)
    if token is None:
        return []
    try:
        readable = encryption.decrypt(token) == CANARY_TEXT
    except ValueError:
        readable = False
    if readable:
        return []
    return [
        _(
            "DOORWAY_FIELD_KEYS: none of its %(count)d keys reads the key canary this "
            "database was written with. Its identities and notes are under a key that is "
            "not in the list (a wrong key, or an old key removed before `doorway "
            "rotate-keys` finished)."
        )
        % {"count": len(settings.FIELD_ENCRYPTION_KEYS)}
    ]


def _field_sample_problems(tables: set[str], using: str) -> list[str]:
    """The newest encrypted values of every table, read as tokens (raw SQL), so a value
    under a key no longer in the list is found even where the canary was rotated."""
    connection = connections[using]
    quote = connection.ops.quote_name
    problems: list[str] = []
    for model, columns in encryption.encrypted_models():
        table = model._meta.db_table
        if table not in tables:
            continue
        select = ", ".join(quote(c) for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {select} FROM {quote(table)} "  # noqa: S608 - names from the models
                f"ORDER BY {quote(str(model._meta.pk.column))} DESC LIMIT %s",
                [SAMPLE_ROWS],
            )
            rows = cursor.fetchall()
        unreadable = 0
        for row in rows:
            for token in row:
                if not token:
                    continue
                try:
                    encryption.decrypt(token)
                except ValueError:
                    unreadable += 1
                    break
        if unreadable:
            problems.append(
                _(
                    "DOORWAY_FIELD_KEYS cannot read %(table)s: %(unreadable)d of its "
                    "%(sampled)d newest rows are under a key that is not in the list."
                )
                % {"table": model._meta.label, "unreadable": unreadable, "sampled": len(rows)}
            )
    return problems


def _blind_index_problems(
    canaries: dict[str, str], tables: set[str], using: str, *, names_readable: bool
) -> list[str]:
    from doorway.keys.models import KeyCanary
    from doorway.people.models import NameDigest, Participant

    proof = canaries.get(KeyCanary.Purpose.BLIND_INDEX)
    wrong = proof is not None and not hmac.compare_digest(
        proof, encryption.blind_index(CANARY_TEXT)
    )
    if not wrong and names_readable and NameDigest._meta.db_table in tables:
        # Her digests, made again from her names, match the stored ones.
        checked = matched = 0
        for person in Participant.objects.using(using).order_by("-registered_at")[
            :SAMPLE_PARTICIPANTS
        ]:
            stored = set(
                NameDigest.objects.using(using)
                .filter(participant=person)
                .values_list("digest", flat=True)
            )
            if not stored:
                continue
            checked += 1
            matched += bool(stored & encryption.name_digests(*person.names()))
        wrong = checked > 0 and matched == 0
    if not wrong:
        return []
    return [
        _(
            "DOORWAY_BLIND_INDEX_KEY is not the key this database's name digests were made "
            "with: finding a participant by name and the duplicate check would match nothing."
        )
    ]


def _audit_key_problems(canaries: dict[str, str], tables: set[str], using: str) -> list[str]:
    from doorway.audit.models import AuditEntry
    from doorway.keys.models import KeyCanary

    proof = canaries.get(KeyCanary.Purpose.AUDIT)
    wrong = proof is not None and not hmac.compare_digest(proof, audit_proof(CANARY_TEXT))
    if not wrong and AuditEntry._meta.db_table in tables:
        # One edited entry is `doorway audit verify`'s business; none matching is the key.
        entries = [
            entry
            for entry in AuditEntry.objects.using(using)
            .exclude(entry_mac="")
            .order_by("-id")[:SAMPLE_AUDIT_ENTRIES]
            if not entry.reason_unreadable
        ]
        wrong = bool(entries) and not any(
            hmac.compare_digest(entry.entry_mac, entry.compute_mac()) for entry in entries
        )
    if not wrong:
        return []
    return [
        _(
            "DOORWAY_AUDIT_KEY is not the key this database's audit entries were signed "
            "with: every entry written now would read as forged."
        )
    ]


def write_missing_canaries(using: str = "default") -> int:
    """Write the canaries a database lacks, under the keys configured now, but only when
    those keys read what is already there. Returns how many were written."""
    from doorway.keys.models import KeyCanary

    if CANARY_TABLE not in connections[using].introspection.table_names():
        return 0
    if key_problems(using):
        return 0
    existing = set(KeyCanary.objects.using(using).values_list("purpose", flat=True))
    missing = [
        KeyCanary(purpose=purpose, proof=proof)
        for purpose, proof in canary_proofs().items()
        if purpose not in existing
    ]
    KeyCanary.objects.using(using).bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def rotate_field_canary(using: str = "default") -> None:
    """Put the field-key canary under the newest key. `doorway rotate-keys` does this
    last, once nothing else is left under an older key: until then, removing the old key
    leaves the canary unreadable and the start refused."""
    from doorway.keys.models import KeyCanary

    canary = KeyCanary.objects.using(using).filter(purpose=KeyCanary.Purpose.FIELD_KEYS).first()
    if canary is not None and not encryption.under_newest_key(canary.proof):
        KeyCanary.objects.using(using).filter(pk=canary.pk).update(
            proof=encryption.rotate(canary.proof)
        )


def refuse_to_start() -> None:
    """Raise, naming every problem, when the keys cannot read what is stored; for the
    WSGI application, which Django's system checks do not reach."""
    try:
        problems = key_problems()
    except DatabaseError:
        # Unreachable now (or not migrated yet): the server starts and answers errors
        # until the database is back, as it did before; its next start checks the keys.
        logger.warning("The key check could not read the database; it was not made.")
        return
    if problems:
        raise ImproperlyConfigured(" ".join(problems))


def checkpoint_key_changed() -> str | None:
    """The newest checkpoint file's name, when a key other than the configured one
    signed it; None when they match or there is nothing to compare."""
    from doorway.audit import checkpoints

    if not getattr(settings, "AUDIT_CHECKPOINT_KEY", ""):
        return None
    try:
        configured = checkpoints.key_id(checkpoints.signing_key().public_key())
    except ImproperlyConfigured:
        return None  # malformed: `doorway check --deploy` says so
    folder = checkpoints.directory()
    newest = max(folder.glob("*.json"), default=None) if folder.is_dir() else None
    if newest is None:
        return None
    try:
        signed_by = json.loads(newest.read_text()).get("key_id")
    except (OSError, ValueError, AttributeError):
        return None  # `doorway audit verify` reports an unreadable checkpoint
    return newest.name if signed_by != configured else None


@register("doorway_keys")
def keys_read_the_data(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    hint = _("Configure the keys this database was written with (see Keys in the README).")
    found: list[CheckMessage] = []
    if (name := checkpoint_key_changed()) is not None:
        found.append(
            Warning(
                _(
                    "DOORWAY_AUDIT_CHECKPOINT_KEY is not the key that signed the newest "
                    "audit checkpoint (%(file)s): whoever checks the checkpoints with the "
                    "former public key cannot check those written from now on."
                )
                % {"file": name},
                hint=_(
                    "If the key was changed on purpose, give them the new public key "
                    "(`doorway audit public-key`); if not, configure the former key."
                ),
                id="doorway.keys.W002",
            )
        )
    try:
        problems = key_problems()
    except DatabaseError:
        found.append(
            Warning(
                _(
                    "The keys were not checked: the database could not be reached, or is "
                    "not migrated yet."
                ),
                id="doorway.keys.W001",
            )
        )
        return found
    return found + [Error(problem, hint=hint, id="doorway.keys.E001") for problem in problems]

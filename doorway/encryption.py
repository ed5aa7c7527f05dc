"""Encryption at rest for identifying fields and case notes.

Values are encrypted with MultiFernet: the first key in DOORWAY_FIELD_KEYS encrypts,
every key decrypts, so keys rotate without a stop: the new key added second everywhere,
then put first everywhere, then `doorway rotate-keys` (`keyrotation.py`), then the old
key removed (README, "Rotating the field keys"). Keys live in the environment, never in
the database; `keycheck.py` refuses to start with keys that cannot read what is stored.

Exact lookup by name goes through a blind index: a keyed HMAC of the normalised
text, so equal names give equal digests without the name being stored.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import unicodedata
from functools import cache
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("DOORWAY_FIELD_KEYS must hold at least one Fernet key.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "DOORWAY_FIELD_KEYS holds a value that is not a Fernet key."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        # Never include the token: it is useless to a reader and noisy in logs.
        raise ValueError("An encrypted value could not be read with the configured keys.") from exc


def rotate(token: str) -> str:
    """Re-encrypt a stored token under the first (newest) key."""
    return fernet().rotate(token.encode()).decode()


@cache
def _newest(key: str) -> Fernet:
    return Fernet(key.encode())


def under_newest_key(token: str) -> bool:
    """Whether a stored token is already under the first key, so rotation may skip it
    (and a rotation stopped half-way picks up where it was)."""
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        return False
    try:
        _newest(keys[0]).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def normalise(text: str) -> str:
    """Case, accents and spacing do not matter for a name lookup."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def blind_index(text: str) -> str:
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, normalise(text).encode(), hashlib.sha256).hexdigest()


def derived_key(purpose: str) -> bytes:
    """A key of its own for one kind of digest, derived from the blind-index key: digests
    made for different purposes from the same text differ, so a copy of the database
    cannot join one set to the other (outreach nicknames to participants' names)."""
    master = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(master, f"doorway.blind-index.{purpose}".encode(), hashlib.sha256).digest()


def outreach_nickname_digest(nickname: str) -> str:
    """The blind index of an outreach nickname: exact lookup of the nickname as typed,
    under a key no participant name digest is made with."""
    key = derived_key("outreach-nickname")
    return hmac.new(key, normalise(nickname).encode(), hashlib.sha256).hexdigest()


def name_digests(*names: str) -> set[str]:
    """Digests of each whole name and of each word in it, so that a search for a
    first name alone or a surname alone also finds her."""
    digests: set[str] = set()
    for name in names:
        clean = normalise(name)
        if not clean:
            continue
        digests.add(blind_index(clean))
        digests.update(blind_index(word) for word in clean.split())
    return digests


# A name is found from this many letters of one of its words; fewer would make each
# digest shared by many more women (see docs/threat-model-names.md).
PREFIX_LENGTH = 3


def name_prefix_digest(word: str) -> str:
    """The digest of a word's first PREFIX_LENGTH letters, under a key of its own, so that
    no prefix digest equals the whole-word digest of a three-letter word."""
    key = derived_key("name-prefix")
    prefix = normalise(word).replace(" ", "")[:PREFIX_LENGTH]
    return hmac.new(key, prefix.encode(), hashlib.sha256).hexdigest()


def name_prefix_digests(*names: str) -> set[str]:
    """One digest per word of PREFIX_LENGTH letters or more: the first letters only, never
    each longer prefix, so the digests do not tell how long a word is."""
    return {
        name_prefix_digest(word)
        for name in names
        for word in normalise(name).split()
        if len(word) >= PREFIX_LENGTH
    }


def name_words_start(names: list[str], typed: str) -> bool:
    """Whether each typed word begins a different word of one of `names`, in any order:
    "Rosa M" and "M Rosa" both find Rosa Martinez. Read on her decrypted names, once the
    prefix digests have narrowed the search to a few women."""
    wanted = normalise(typed).split()
    if not wanted:
        return False
    return any(_words_start(normalise(name).split(), wanted) for name in names)


def _words_start(words: list[str], wanted: list[str]) -> bool:
    if not wanted:
        return True
    first, rest = wanted[0], wanted[1:]
    return any(
        word.startswith(first) and _words_start(words[:i] + words[i + 1 :], rest)
        for i, word in enumerate(words)
    )


class EncryptedTextField(models.TextField[str, str]):
    """Text stored as a Fernet token. Blank stays blank so 'not recorded' is visible
    without a key; anything else is unreadable without the keys."""

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        # A query on ciphertext would silently match nothing; refuse it loudly.
        if lookup_name not in {"isnull", "exact"}:
            raise TypeError(f"Encrypted fields cannot be searched with '{lookup_name}'.")
        return super().get_lookup(lookup_name)


if TYPE_CHECKING:
    _DateBase = models.Field[datetime.date | str | None, datetime.date | None]
else:
    _DateBase = models.Field


class EncryptedDateField(_DateBase):
    """A date stored encrypted (as ISO text inside the token)."""

    description = "Date encrypted at rest"

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(
        self, value: str | None, expression: Any, connection: Any
    ) -> datetime.date | None:
        if value is None or value == "":
            return None
        return datetime.date.fromisoformat(decrypt(value))

    def to_python(self, value: Any) -> datetime.date | None:
        if value is None or value == "" or isinstance(value, datetime.date):
            return value or None
        return datetime.date.fromisoformat(str(value))

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, datetime.date):
            value = value.isoformat()
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise TypeError(f"Encrypted dates cannot be searched with '{lookup_name}'.")
        return super().get_lookup(lookup_name)

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.DateField(**{"required": not self.blank, **kwargs})


ENCRYPTED_FIELD_TYPES = (EncryptedTextField, EncryptedDateField)


def encrypted_models() -> list[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted columns (their history included), and those columns."""
    from django.apps import apps

    found: list[tuple[type[models.Model], list[str]]] = []
    for model in apps.get_models():
        columns = [
            str(f.column)
            for f in model._meta.concrete_fields
            if isinstance(f, ENCRYPTED_FIELD_TYPES)
        ]
        if columns:
            found.append((model, columns))
    return found


def encrypt_plain_rows(table: str, column: str, schema_editor: Any, pk: str = "id") -> int:
    """For a migration that turns a plain text column into an encrypted one: encrypt,
    in place, every value that is not a token already. Raw SQL, so that the field's
    own decryption never sees plain text."""
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} "  # noqa: S608
            f"WHERE {quote(column)} <> ''"
        )
        rows = cursor.fetchall()
        for row_id, value in rows:
            try:
                decrypt(value)
            except ValueError:
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s "  # noqa: S608
                    f"WHERE {quote(pk)} = %s",
                    [encrypt(value), row_id],
                )
                changed += 1
    return changed

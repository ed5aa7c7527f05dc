"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint says "the chain had N entries and the N-th one's hash was H at time T",
signed with an Ed25519 key that is not in the database (`DOORWAY_AUDIT_CHECKPOINT_KEY`,
read from the environment). Each is one small JSON file, created once (never
rewritten), flushed to disk and written to the log (`doorway.audit.checkpoint`, for a
syslog or journald that ships it off the host) in the directory `DOORWAY_AUDIT_CHECKPOINTS`.

Why Ed25519 and not another HMAC: whoever checks a checkpoint needs only the public
key (`doorway audit public-key`), so an auditor or an off-site copy can verify them
without holding anything that could forge one; and the private key, like the chain's
MAC key, never enters the database, so write access to the database is not enough to
forge a checkpoint that matches a shortened log.

A checkpoint names no one: a count, a hash, a time.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger("doorway.audit.checkpoint")

VERSION = 1
LOG_NAME = "doorway-audit"


class NoCheckpointKey(ImproperlyConfigured):
    pass


def _decode_key(text: str, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            _(
                "%(what)s must be 32 bytes in URL-safe base64 (make one with "
                "`doorway audit new-checkpoint-key`)."
            )
            % {"what": what}
        )
    return raw


def signing_key() -> Ed25519PrivateKey:
    text = getattr(settings, "AUDIT_CHECKPOINT_KEY", "")
    if not text:
        raise NoCheckpointKey(
            _(
                "DOORWAY_AUDIT_CHECKPOINT_KEY is not set, so no checkpoint can be signed "
                "(make one with `doorway audit new-checkpoint-key`)."
            )
        )
    return Ed25519PrivateKey.from_private_bytes(_decode_key(text, "DOORWAY_AUDIT_CHECKPOINT_KEY"))


def public_key_text(key: Ed25519PublicKey) -> str:
    return base64.urlsafe_b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def public_key_from_text(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_decode_key(text, _("The public key")))


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def new_key_text() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def directory() -> Path:
    return Path(settings.AUDIT_CHECKPOINTS)


@dataclass(frozen=True)
class Checkpoint:
    entries: int
    head: str
    at: datetime.datetime
    key_id: str = ""
    signature: str = ""
    name: str = ""

    def signed_bytes(self) -> bytes:
        content = {
            "version": VERSION,
            "log": LOG_NAME,
            "entries": self.entries,
            "head": self.head,
            "at": self.at.isoformat(),
        }
        return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()

    def as_json(self) -> str:
        content = json.loads(self.signed_bytes())
        content.update(key_id=self.key_id, signature=self.signature)
        return json.dumps(content, sort_keys=True, separators=(",", ":"))

    def describe(self) -> str:
        return _("the checkpoint of %(at)s UTC (%(file)s)") % {
            "at": f"{self.at:%Y-%m-%d %H:%M:%S}",
            "file": self.name,
        }


@dataclass
class Loaded:
    """Every checkpoint file found: the good ones in time order, and what was wrong
    with the others."""

    checkpoints: list[Checkpoint] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def latest(self) -> Checkpoint | None:
        return self.checkpoints[-1] if self.checkpoints else None


def write(entries: int, head: str, *, at: datetime.datetime | None = None) -> Checkpoint:
    """Sign and write one checkpoint file; it is never opened for writing again."""
    key = signing_key()
    at = (at or timezone.now()).astimezone(datetime.UTC)
    unsigned = Checkpoint(entries=entries, head=head, at=at)
    signature = base64.b64encode(key.sign(unsigned.signed_bytes())).decode()
    folder = directory()
    folder.mkdir(mode=0o750, parents=True, exist_ok=True)
    stem = f"{at:%Y%m%dT%H%M%S%f}Z-{entries:012d}"
    for attempt in range(100):
        name = f"{stem}.json" if attempt == 0 else f"{stem}-{attempt}.json"
        checkpoint = Checkpoint(
            entries=entries,
            head=head,
            at=at,
            key_id=key_id(key.public_key()),
            signature=signature,
            name=name,
        )
        try:
            fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w") as out:
            out.write(checkpoint.as_json() + "\n")
            out.flush()
            os.fsync(out.fileno())
        _fsync_directory(folder)
        # The same line to the log, for a syslog or journald that ships it elsewhere.
        logger.info("audit checkpoint %s", checkpoint.as_json())
        return checkpoint
    raise FileExistsError(
        _("Could not name a new checkpoint file in %(folder)s.") % {"folder": folder}
    )


def _fsync_directory(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def verification_keys(extra: list[str] | None = None) -> dict[str, Ed25519PublicKey]:
    """The public keys checkpoints may be signed with: the configured signing key's,
    and any given (an auditor holding only public keys, or keys used before a change)."""
    keys: list[Ed25519PublicKey] = [public_key_from_text(text) for text in extra or []]
    if getattr(settings, "AUDIT_CHECKPOINT_KEY", ""):
        keys.append(signing_key().public_key())
    return {key_id(key): key for key in keys}


def load(folder: Path | None = None, public_keys: list[str] | None = None) -> Loaded:
    """Read and check every checkpoint in the folder."""
    folder = folder or directory()
    loaded = Loaded()
    if not folder.is_dir():
        return loaded
    keys = verification_keys(public_keys)
    for path in sorted(folder.glob("*.json")):
        try:
            checkpoint = _parse(path)
        except (OSError, ValueError, KeyError, TypeError) as error:
            loaded.problems.append(
                _("checkpoint %(file)s cannot be read (%(error)s)")
                % {"file": path.name, "error": error}
            )
            continue
        key = keys.get(checkpoint.key_id)
        if key is None:
            loaded.problems.append(
                _("checkpoint %(file)s is signed with a key this check does not know (%(key)s)")
                % {"file": path.name, "key": checkpoint.key_id or "-"}
            )
            continue
        try:
            key.verify(base64.b64decode(checkpoint.signature), checkpoint.signed_bytes())
        except (InvalidSignature, binascii.Error, ValueError):
            loaded.problems.append(
                _(
                    "checkpoint %(file)s has a signature that does not match: it was forged "
                    "or altered"
                )
                % {"file": path.name}
            )
            continue
        loaded.checkpoints.append(checkpoint)
    loaded.checkpoints.sort(key=lambda c: (c.at, c.entries))
    return loaded


def latest(folder: Path | None = None) -> Checkpoint | None:
    """The newest checkpoint whose signature holds, reading only as many files from
    the newest as it takes (file names begin with the time)."""
    folder = folder or directory()
    if not folder.is_dir():
        return None
    keys = verification_keys()
    for path in sorted(folder.glob("*.json"), reverse=True):
        try:
            checkpoint = _parse(path)
            key = keys[checkpoint.key_id]
            key.verify(base64.b64decode(checkpoint.signature), checkpoint.signed_bytes())
        except (OSError, ValueError, KeyError, TypeError, InvalidSignature, binascii.Error):
            continue
        return checkpoint
    return None


def _parse(path: Path) -> Checkpoint:
    content: dict[str, Any] = json.loads(path.read_text())
    if content.get("version") != VERSION or content.get("log") != LOG_NAME:
        raise ValueError(_("not a Doorway audit checkpoint"))
    entries = content["entries"]
    if not isinstance(entries, int) or entries < 0:
        raise ValueError(_("entries is not a count"))
    head = str(content["head"])
    at = datetime.datetime.fromisoformat(str(content["at"]))
    if at.tzinfo is None:
        raise ValueError(_("its time has no time zone"))
    return Checkpoint(
        entries=entries,
        head=head,
        at=at,
        key_id=str(content.get("key_id", "")),
        signature=str(content.get("signature", "")),
        name=path.name,
    )

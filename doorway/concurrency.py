"""Two people editing the same record never silently overwrite each other.

A record's version is a keyed digest of its stored values. A page carries the version
it showed in a hidden field; the API sends it as the ETag and expects it back in
If-Match. A change goes ahead only if the record, locked for the change, still has the
version its writer saw.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.crypto import salted_hmac

STALE_MESSAGE = (
    "Someone else saved a change to this record after you opened it, so yours was not "
    "saved. Their change is shown now; check it, then make yours again."
)


class StaleVersion(ValidationError):
    """The record changed since its writer read it."""

    def __init__(self, message: str = STALE_MESSAGE) -> None:
        super().__init__(message, code="stale")


def version_of(instance: models.Model, *extra: Any) -> str:
    """The record's version: the same while its stored values are, different once any
    changes. Keyed, so that it tells nothing about values to whoever holds it. `extra`
    adds what the row alone does not hold (its many-to-many links, say)."""
    values = [
        [field.attname, field.value_to_string(instance)] for field in instance._meta.concrete_fields
    ]
    payload = json.dumps([instance._meta.label, values, [str(e) for e in extra]], default=str)
    return salted_hmac("doorway.concurrency.version", payload, algorithm="sha256").hexdigest()[:32]


def lock_if_current[M: models.Model](instance: M, expected: str | None, *extra_of: Any) -> M:
    """Lock `instance`'s row for the rest of the transaction and return it fresh from
    the database, or raise StaleVersion if it no longer has the version `expected`.
    Call inside `transaction.atomic()`. `expected=None` only locks (no version sent).
    `extra_of`, if given, is a callable giving the same `extra` as `version_of` had."""
    model = type(instance)
    fresh = model._base_manager.select_for_update().get(pk=instance.pk)
    if expected is not None:
        extra = extra_of[0](fresh) if extra_of else ()
        if version_of(fresh, *extra) != expected:
            raise StaleVersion()
    return fresh


# The version a page form carries when it showed no record yet (a plan not agreed, a
# closing note not written): saving it is refused if someone created one meanwhile.
NEW = "new"


def version_or_new(instance: models.Model | None, *extra: Any) -> str:
    return NEW if instance is None else version_of(instance, *extra)


def check_current[M: models.Model](
    instance: M | None, expected: str | None, *extra_of: Any
) -> M | None:
    """`lock_if_current` for a record that may not exist yet. `expected` is what the
    writer saw: None (nothing to compare: the caller locked already, or need not),
    NEW (she saw no record), or a version."""
    if expected is None:
        return instance
    if instance is None:
        if expected != NEW:
            raise StaleVersion()
        return None
    if expected == NEW:
        raise StaleVersion()
    return lock_if_current(instance, expected, *extra_of)

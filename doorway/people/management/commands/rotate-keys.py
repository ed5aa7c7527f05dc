"""`doorway rotate-keys`: re-encrypt every encrypted value under the newest key."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from doorway import encryption
from doorway.audit.log import record
from doorway.audit.models import Action


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field (identities, notes, and their history) with the "
        "first key in DOORWAY_FIELD_KEYS. Put the new key first, keep the old ones after it, "
        "run this, then remove the old keys. Safe to run again."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            fields = [
                f
                for f in model._meta.concrete_fields
                if isinstance(f, encryption.ENCRYPTED_FIELD_TYPES)
            ]
            if not fields:
                continue
            count = self._rotate_model(model, [str(f.column) for f in fields], batch_size)
            if count:
                self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
            total += count
        total += self._rotate_second_factors()
        record(Action.KEYS_ROTATED, detail={"rows": total})
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows re-encrypted."))

    def _rotate_second_factors(self) -> int:
        """TOTP secrets and recovery-code seeds sit, encrypted, inside allauth's JSON."""
        from allauth.mfa.models import Authenticator

        from doorway.people.signin import ENCRYPTED_PREFIX

        rotated = 0
        with transaction.atomic():
            for authenticator in Authenticator.objects.select_for_update():
                data = dict(authenticator.data)
                for key in ("secret", "seed"):
                    value = data.get(key)
                    if isinstance(value, str) and value.startswith(ENCRYPTED_PREFIX):
                        token = value.removeprefix(ENCRYPTED_PREFIX)
                        data[key] = ENCRYPTED_PREFIX + encryption.rotate(token)
                if data != authenticator.data:
                    authenticator.data = data
                    authenticator.save(update_fields=["data"])
                    rotated += 1
        if rotated:
            self.stdout.write(f"mfa.Authenticator: {rotated} rows re-encrypted")
        return rotated

    def _rotate_model(self, model: Any, columns: list[str], batch_size: int) -> int:
        """Works on the stored tokens directly (raw SQL), so values are never decrypted
        into Python objects and nothing else about the rows changes."""
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        cols = ", ".join(connection.ops.quote_name(c) for c in columns)
        sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
        rotated = 0
        last: Any = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"WHERE {pk} > %s " if last is not None else ""
                cursor.execute(
                    f"SELECT {pk}, {cols} FROM {table} {where}ORDER BY {pk} LIMIT %s",  # noqa: S608
                    ([last] if last is not None else []) + [batch_size],
                )
                rows = cursor.fetchall()
                if not rows:
                    return rotated
                for row_pk, *tokens in rows:
                    new = [encryption.rotate(t) if t else t for t in tokens]
                    cursor.execute(
                        f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608
                        [*new, row_pk],
                    )
                    rotated += 1
                last = rows[-1][0]

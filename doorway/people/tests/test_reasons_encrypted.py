"""Why an administrator broke the glass, or why someone asked for a staff member's
access, can say as much about a woman as her record ("her ex-partner called the front
desk asking for her"): with a copy of the database but not the keys, nobody reads it."""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.db import connection

from doorway.conftest import World
from doorway.people.actions import break_the_glass
from doorway.people.models import AccessChangeRequest, BreakGlass
from doorway.people.roles import Role
from doorway.people.staff.actions import change_staff_access

pytestmark = pytest.mark.django_db

REASON = "Her ex-partner Darnell Whitlock phoned the front desk asking where she sleeps"


def raw(table: str, column: str) -> list[str]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)}")  # noqa: S608
        return [str(value) for (value,) in cursor.fetchall()]


def test_a_break_the_glass_reason_is_not_in_the_database_in_plain_text(world: World) -> None:
    grant = break_the_glass(world.rosa, by=world.ada, reason=REASON)
    stored = raw("people_breakglass", "reason")
    assert len(stored) == 1
    assert "Whitlock" not in stored[0]
    assert "front desk" not in stored[0]
    assert BreakGlass.objects.get(pk=grant.pk).reason == REASON


def test_the_reason_for_an_access_change_is_not_in_plain_text(world: World) -> None:
    change_staff_access(world.bianca, by=world.ada, reason=REASON, role=Role.PROGRAM_MANAGER)
    stored = raw("people_accesschangerequest", "reason")
    assert len(stored) == 1
    assert "Whitlock" not in stored[0]
    assert AccessChangeRequest.objects.get().reason == REASON


def test_the_migration_encrypts_reasons_written_in_plain_text_before_it(world: World) -> None:
    grant = break_the_glass(world.rosa, by=world.ada, reason=REASON)
    with connection.cursor() as cursor:
        # As a row written before the field was encrypted.
        cursor.execute("UPDATE people_breakglass SET reason = %s", [REASON])
    assert raw("people_breakglass", "reason") == [REASON]
    migration = import_module("doorway.people.migrations.0006_encrypt_break_glass_reasons")
    migration.encrypt_existing(None, SimpleNamespace(connection=connection))
    assert "Whitlock" not in raw("people_breakglass", "reason")[0]
    assert BreakGlass.objects.get(pk=grant.pk).reason == REASON
    # Run again, it leaves encrypted values alone.
    before = raw("people_breakglass", "reason")
    migration.encrypt_existing(None, SimpleNamespace(connection=connection))
    assert raw("people_breakglass", "reason") == before

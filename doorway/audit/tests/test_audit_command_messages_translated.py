"""What `doorway audit` tells the person at the terminal goes through translation: run
under a language whose catalogue marks every message it translates, each message the
command prints or refuses with comes out marked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from doorway.audit.log import checkpoint, record
from doorway.audit.models import Action
from doorway.testing.translation import MARK, marked_language

pytestmark = pytest.mark.django_db


@pytest.fixture
def marked() -> Iterator[None]:
    with marked_language():
        yield


def write_entries(n: int) -> None:
    for i in range(n):
        record(Action.VIEW, detail={"n": i})


def test_a_written_checkpoint_and_an_intact_log_are_reported_translated(marked, capsys) -> None:
    write_entries(2)
    call_command("audit", "checkpoint")
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert f"{MARK}Checkpoint written: " in out
    assert f"{MARK}Audit log intact: " in out
    assert f"{MARK}the checkpoint of " in out


def test_a_refused_checkpoint_says_why_translated(marked) -> None:
    write_entries(5)
    checkpoint()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq > 3")
        cursor.execute("UPDATE audit_chainhead SET entries = 3")
    with pytest.raises(CommandError) as refused:
        call_command("audit", "checkpoint")
    assert str(refused.value).startswith(f"{MARK}The chain has 3 entries but {MARK}the checkpoint")


def test_a_broken_log_is_reported_translated(marked) -> None:
    write_entries(3)
    checkpoint()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = 2")
    with pytest.raises(CommandError) as broken:
        call_command("audit", "verify")
    assert str(broken.value).startswith(f"{MARK}Audit log broken:")


def test_a_missing_key_is_reported_translated(marked, settings) -> None:
    settings.AUDIT_CHECKPOINT_KEY = ""
    with pytest.raises(CommandError) as refused:
        call_command("audit", "checkpoint")
    assert str(refused.value).startswith(f"{MARK}DOORWAY_AUDIT_CHECKPOINT_KEY is not set")


def test_the_help_is_translated(marked) -> None:
    from doorway.audit.management.commands.audit import Command

    text = Command().create_parser("doorway", "audit").format_help()
    assert f"{MARK}Audit log tools" in text

"""The key check names each key that cannot read what is stored, from the canaries and
from a sample of real rows, and says nothing of anyone."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import OperationalError

from doorway import keycheck
from doorway.audit import checkpoints
from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.keys.models import KeyCanary
from doorway.people.models import Participant
from doorway.testing.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

WRONG_FIELD_KEY = Fernet.generate_key().decode()


@pytest.fixture
def someone() -> Participant:
    person = ParticipantFactory(legal_name="Zelda Quartermain", phone="416-555-0142")
    record(Action.VIEW, participant=person)
    return person


def test_a_new_database_holds_a_canary_for_each_key_and_the_keys_read_it() -> None:
    assert set(KeyCanary.objects.values_list("purpose", flat=True)) == set(KeyCanary.Purpose)
    assert keycheck.key_problems() == []


def test_the_right_keys_with_data_written_report_nothing(someone: Participant) -> None:
    assert keycheck.key_problems() == []


def test_a_wrong_field_key_is_named_and_no_value_is_shown(
    settings: Any, someone: Participant
) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [WRONG_FIELD_KEY]
    problems = keycheck.key_problems()
    assert any("DOORWAY_FIELD_KEYS" in p and "key canary" in p for p in problems), problems
    assert any("people.Participant" in p for p in problems), problems
    text = " ".join(problems)
    assert "Zelda" not in text
    assert "0142" not in text
    assert WRONG_FIELD_KEY not in text


def test_a_wrong_field_key_is_found_in_the_rows_even_without_a_canary(
    settings: Any, someone: Participant
) -> None:
    KeyCanary.objects.all().delete()
    settings.FIELD_ENCRYPTION_KEYS = [WRONG_FIELD_KEY]
    problems = keycheck.key_problems()
    assert any("people.Participant" in p for p in problems), problems


def test_a_field_key_that_is_not_a_fernet_key_is_named(settings: Any) -> None:
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    assert any("DOORWAY_FIELD_KEYS" in p for p in keycheck.key_problems())


def test_the_new_key_first_and_the_old_key_kept_reads_everything(
    settings: Any, someone: Participant
) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY, *settings.FIELD_ENCRYPTION_KEYS]
    assert keycheck.key_problems() == []


def test_a_wrong_blind_index_key_is_named(settings: Any, someone: Participant) -> None:
    settings.BLIND_INDEX_KEY = "another-blind-index-key"
    problems = keycheck.key_problems()
    assert problems
    assert all("DOORWAY_BLIND_INDEX_KEY" in p for p in problems), problems


def test_a_wrong_blind_index_key_is_found_in_her_name_digests_without_a_canary(
    settings: Any, someone: Participant
) -> None:
    KeyCanary.objects.all().delete()
    settings.BLIND_INDEX_KEY = "another-blind-index-key"
    problems = keycheck.key_problems()
    assert any("DOORWAY_BLIND_INDEX_KEY" in p for p in problems), problems
    # The duplicate check would otherwise have missed her silently.
    assert not Participant.objects.with_name("Zelda Quartermain").exists()


def test_a_wrong_audit_key_is_named(settings: Any, someone: Participant) -> None:
    settings.AUDIT_CHAIN_KEY = "another-audit-key"
    problems = keycheck.key_problems()
    assert problems
    assert all("DOORWAY_AUDIT_KEY" in p for p in problems), problems


def test_a_wrong_audit_key_is_found_in_the_entries_without_a_canary(
    settings: Any, someone: Participant
) -> None:
    KeyCanary.objects.all().delete()
    settings.AUDIT_CHAIN_KEY = "another-audit-key"
    assert any("DOORWAY_AUDIT_KEY" in p for p in keycheck.key_problems())


def test_canaries_are_not_written_under_keys_that_cannot_read_the_data(
    settings: Any, someone: Participant
) -> None:
    KeyCanary.objects.all().delete()
    settings.FIELD_ENCRYPTION_KEYS = [WRONG_FIELD_KEY]
    assert keycheck.write_missing_canaries() == 0
    assert not KeyCanary.objects.exists()


def test_doorway_check_fails_naming_the_key(settings: Any, someone: Participant) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [WRONG_FIELD_KEY]
    with pytest.raises(SystemCheckError, match="DOORWAY_FIELD_KEYS"):
        call_command("check")


def test_the_web_application_refuses_to_start_with_a_wrong_key(
    settings: Any, someone: Participant
) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [WRONG_FIELD_KEY]
    with pytest.raises(ImproperlyConfigured, match="DOORWAY_FIELD_KEYS"):
        runpy.run_module("doorway.wsgi")


def test_the_web_application_starts_with_the_right_keys(someone: Participant) -> None:
    assert "application" in runpy.run_module("doorway.wsgi")


def test_a_database_that_cannot_be_read_warns_and_does_not_stop_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker or server started during a database outage starts, as before, and
    reconnects; it says the keys were not checked."""

    def unreachable(using: str = "default") -> list[str]:
        raise OperationalError("connection refused")

    monkeypatch.setattr(keycheck, "key_problems", unreachable)
    found = keycheck.keys_read_the_data()
    assert [message.id for message in found] == ["doorway.keys.W001"]
    assert not any(message.is_serious() for message in found)
    keycheck.refuse_to_start()


def test_a_checkpoint_key_other_than_the_newest_checkpoints_is_warned_of(
    settings: Any, tmp_path: Path
) -> None:
    settings.AUDIT_CHECKPOINTS = tmp_path
    checkpoints.write(0, "0" * 64)
    assert "doorway.keys.W002" not in {m.id for m in keycheck.keys_read_the_data()}

    settings.AUDIT_CHECKPOINT_KEY = checkpoints.new_key_text()
    found = {m.id: m for m in keycheck.keys_read_the_data()}
    assert "doorway.keys.W002" in found
    assert not found["doorway.keys.W002"].is_serious()

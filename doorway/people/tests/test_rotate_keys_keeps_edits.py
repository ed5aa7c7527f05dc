"""`doorway rotate-keys` runs while people work: an edit made between its read of a row
and its write is kept, on both databases (the edit is put between the two)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from doorway import keycheck, keyrotation
from doorway.people.models import Participant
from doorway.testing.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def stored_phone(person: Participant) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone FROM people_participant WHERE id = %s",
            [person.pk.hex if connection.vendor == "sqlite" else person.pk],
        )
        return str(cursor.fetchone()[0])


def put_the_new_key_first(settings: Any) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY, *settings.FIELD_ENCRYPTION_KEYS]


def edit_between_read_and_write(
    monkeypatch: pytest.MonkeyPatch, person: Participant, edit: Any
) -> list[int]:
    """Make `edit` happen once, after rotation read her row and before it writes it."""
    token = stored_phone(person)
    done: list[int] = []
    reencrypt = keyrotation.reencrypt

    def edit_then_reencrypt(tokens: list[str | None]) -> list[str | None]:
        if token in tokens and not done:
            edit()
            done.append(1)
        return reencrypt(tokens)

    monkeypatch.setattr(keyrotation, "reencrypt", edit_then_reencrypt)
    return done


def test_an_edit_made_while_her_row_is_rotated_is_kept(
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person = ParticipantFactory(phone="416-555-0101")
    put_the_new_key_first(settings)

    def edit() -> None:
        again = Participant.objects.get(pk=person.pk)
        again.phone = "416-555-0199"
        again.save()

    done = edit_between_read_and_write(monkeypatch, person, edit)
    call_command("rotate-keys", batch_size=2)
    assert done

    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY]
    assert Participant.objects.get(pk=person.pk).phone == "416-555-0199"
    assert person.history.latest().phone == "416-555-0199"


def test_a_second_run_finds_nothing_left_and_says_the_old_keys_may_go(
    settings: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ParticipantFactory.create_batch(3)
    put_the_new_key_first(settings)
    call_command("rotate-keys", batch_size=2)
    first = capsys.readouterr().out
    assert "people.Participant: 3 rows re-encrypted" in first
    assert "Nothing is left under an older key" in first

    call_command("rotate-keys", batch_size=2)
    again = capsys.readouterr().out
    assert "re-encrypted, " not in again
    assert "Done: 0 rows re-encrypted" in again


def test_a_rotation_stopped_half_way_resumes_where_it_was(
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    people = ParticipantFactory.create_batch(4)
    put_the_new_key_first(settings)
    before = {p.pk: stored_phone(p) for p in people}
    calls: list[int] = []
    reencrypt = keyrotation.reencrypt

    def crash_at_the_third_participant(tokens: list[str | None]) -> list[str | None]:
        if any(t in before.values() for t in tokens):
            calls.append(1)
            if len(calls) == 3:
                raise KeyboardInterrupt
        return reencrypt(tokens)

    monkeypatch.setattr(keyrotation, "reencrypt", crash_at_the_third_participant)
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate-keys", batch_size=2)
    # The first batch of two was committed; the crashed batch was undone.
    rotated = [p for p in people if stored_phone(p) != before[p.pk]]
    assert len(rotated) == 2
    capsys.readouterr()

    monkeypatch.setattr(keyrotation, "reencrypt", reencrypt)
    call_command("rotate-keys", batch_size=2)
    out = capsys.readouterr().out
    assert "people.Participant: 2 rows re-encrypted, 2 already under the newest key" in out
    assert "rows already under the newest key (re-encrypted by an earlier run" in out
    assert all(stored_phone(p) != before[p.pk] for p in people)
    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY]
    assert [Participant.objects.get(pk=p.pk).phone for p in people] == [p.phone for p in people]


def test_the_old_key_removed_before_rotation_finished_fails_the_key_check(
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ParticipantFactory.create_batch(3)
    keycheck.write_missing_canaries()
    put_the_new_key_first(settings)
    both_keys = list(settings.FIELD_ENCRYPTION_KEYS)

    def crash(tokens: list[str | None]) -> list[str | None]:
        raise KeyboardInterrupt

    monkeypatch.setattr(keyrotation, "reencrypt", crash)
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate-keys")
    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY]
    problems = keycheck.key_problems()
    assert any("DOORWAY_FIELD_KEYS" in p and "key canary" in p for p in problems), problems

    monkeypatch.undo()
    settings.FIELD_ENCRYPTION_KEYS = both_keys
    call_command("rotate-keys")
    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY]
    assert keycheck.key_problems() == []

"""The same as test_rotate_keys_keeps_edits, with the edit made on a second connection
that commits while the rotation's batch is open. Only PostgreSQL lets the two
transactions overlap (SQLite takes its write lock at the start of each transaction), so
this runs there; the logic is tested on both by the other file."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from doorway import keyrotation
from doorway.people.models import Participant
from doorway.testing.factories import ParticipantFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="two open write transactions need PostgreSQL"
    ),
]


def stored_phone(person: Participant) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM people_participant WHERE id = %s", [person.pk])
        return str(cursor.fetchone()[0])


def start_in_another_connection(work: Any) -> tuple[threading.Thread, list[BaseException]]:
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # handed to the test's thread
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, failures


def in_another_connection(work: Any) -> None:
    thread, failures = start_in_another_connection(work)
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert not failures, failures


def set_phone(person: Participant, phone: str) -> None:
    again = Participant.objects.get(pk=person.pk)
    again.phone = phone
    again.save()


def test_an_edit_committed_by_another_connection_mid_batch_is_kept(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = ParticipantFactory(phone="416-555-0101")
    token = stored_phone(person)
    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY, *settings.FIELD_ENCRYPTION_KEYS]
    reencrypt = keyrotation.reencrypt
    edited: list[int] = []

    def edit_elsewhere_then_reencrypt(tokens: list[str | None]) -> list[str | None]:
        if token in tokens and not edited:
            # The rotation has read her row in its open transaction; a request commits.
            in_another_connection(lambda: set_phone(person, "416-555-0199"))
            edited.append(1)
        return reencrypt(tokens)

    monkeypatch.setattr(keyrotation, "reencrypt", edit_elsewhere_then_reencrypt)
    call_command("rotate-keys", batch_size=50)
    assert edited

    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY]
    assert Participant.objects.get(pk=person.pk).phone == "416-555-0199"


def test_edits_made_throughout_a_rotation_are_all_kept(settings: Any) -> None:
    people = ParticipantFactory.create_batch(30, phone="416-555-0100")
    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY, *settings.FIELD_ENCRYPTION_KEYS]

    def edit_every_one() -> None:
        for round_ in range(3):
            for n, person in enumerate(people):
                set_phone(person, f"416-555-{round_}{n:03d}")

    edits, failures = start_in_another_connection(edit_every_one)
    call_command("rotate-keys", batch_size=1)
    edits.join(timeout=120)
    assert not edits.is_alive()
    assert not failures, failures
    # Whatever the interleaving, every last edit stands and is under the newest key.
    call_command("rotate-keys", batch_size=1)
    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY]
    phones = [Participant.objects.get(pk=p.pk).phone for p in people]
    assert phones == [f"416-555-2{n:03d}" for n in range(len(people))]

from __future__ import annotations

import datetime

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from doorway.audit.log import verify
from doorway.people.actions import add_safety_flag
from doorway.people.models import Participant
from doorway.testing.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def stored_tokens(person: Participant) -> tuple[str, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT legal_name, phone, date_of_birth FROM people_participant WHERE id = %s",
            [person.pk.hex if connection.vendor == "sqlite" else person.pk],
        )
        return tuple(cursor.fetchone())


def test_after_rotation_every_record_reads_back_under_the_new_key_alone(
    settings,
    capsys,
) -> None:
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    people = [
        ParticipantFactory(
            legal_name=f"Person {n}",
            phone=f"416-555-01{n:02d}",
            date_of_birth=datetime.date(1980 + n, 1, 1),
        )
        for n in range(3)
    ]
    add_safety_flag(people[0], kind="other", note="Only call after 6pm", by=people[0].registered_by)
    before = [stored_tokens(p) for p in people]

    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY, old_key]
    call_command("rotate-keys", batch_size=2)
    assert "rows re-encrypted" in capsys.readouterr().out

    # The old key is gone: only re-encrypted values can still be read.
    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY]
    for person, old_tokens in zip(people, before, strict=True):
        assert stored_tokens(person) != old_tokens
        again = Participant.objects.get(pk=person.pk)
        assert again.legal_name == person.legal_name
        assert again.phone == person.phone
        assert again.date_of_birth == person.date_of_birth
        assert all(h.legal_name == person.legal_name for h in again.history.all())
    assert people[0].active_flags().get().note == "Only call after 6pm"
    assert verify() is None


def test_without_the_right_key_a_value_cannot_be_read(settings) -> None:
    person = ParticipantFactory(legal_name="Person X")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ValueError, match="could not be read"):
        Participant.objects.get(pk=person.pk)


def test_second_factor_secrets_are_rotated_too(settings) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from doorway.testing.factories import UserFactory
    from doorway.testing.signin import give_totp, totp_code

    user = UserFactory()
    secret = give_totp(user)
    stored_before = Authenticator.objects.get(user=user, type="totp").data["secret"]
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY, old_key]
    call_command("rotate-keys")
    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY]
    authenticator = Authenticator.objects.get(user=user, type="totp")
    assert authenticator.data["secret"] != stored_before
    assert TOTP(authenticator).validate_code(totp_code(secret))

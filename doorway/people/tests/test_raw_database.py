"""What someone with a copy of the database (but not the keys) can read."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from doorway.conftest import World
from doorway.encryption import encrypt_plain_rows
from doorway.enrolments.actions import register_participant
from doorway.enrolments.models import JourneyEvent
from doorway.people.actions import add_safety_flag, update_identity, withdraw_consent

pytestmark = pytest.mark.django_db

SECRETS = {
    "legal name": "Marisol Featherstonehaugh",
    "preferred name": "Marisol",
    "alias": "Candyfloss",
    "phone": "647-555-0142",
    "email": "marisol.f@example.net",
    "date of birth": "1994-07-23",
    "safe contact": "Only text the burner phone",
    "flag note": "Ex-partner drives a blue van",
}


def every_cell() -> list[str]:
    cells: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            cells.extend(str(value) for row in cursor.fetchall() for value in row)
    return cells


def test_no_table_holds_her_identifying_fields_in_plain_text(world: World) -> None:
    enrolment = register_participant(
        cycle=world.rosa_enrolment.cycle,
        by=world.alice,
        referral_source="outreach",
        referred_on=datetime.date(2025, 3, 1),
        case_manager=world.alice,
        preferred_name=SECRETS["preferred name"],
        legal_name=SECRETS["legal name"],
        aliases=SECRETS["alias"],
        phone=SECRETS["phone"],
        email=SECRETS["email"],
        date_of_birth=datetime.date.fromisoformat(SECRETS["date of birth"]),
        safe_contact=SECRETS["safe contact"],
    )
    # An edit, so that the history tables hold a second copy too.
    update_identity(enrolment.participant, by=world.alice, phone="647-555-0143")
    add_safety_flag(enrolment.participant, kind="other", note=SECRETS["flag note"], by=world.alice)
    text = "\n".join(every_cell()).casefold()
    for what, value in SECRETS.items():
        assert value.casefold() not in text, f"{what} is readable in the database"
    assert "647-555-0143" not in text
    # And she still reads back for those allowed.
    assert enrolment.participant.legal_name == SECRETS["legal name"]


REASONS = {
    "eligibility reason": "Unsafe because of an abuser: met (yes)",
    "move reason": "Her ex-partner found the shelter",
    "withdrawal note": "Moving in with her sister in Hamilton",
}


def test_eligibility_move_and_withdrawal_reasons_are_unreadable_in_the_database(
    world: World,
) -> None:
    enrolment = world.rosa_enrolment
    enrolment.move_to(
        world.program.active_phases()[1], by=world.alice, reason=REASONS["move reason"]
    )
    enrolment.decide_eligibility("eligible", by=world.alice, reason=REASONS["eligibility reason"])
    consent = world.rosa.consents.get(kind="service")
    withdraw_consent(
        consent, on=timezone.localdate(), by=world.alice, note=REASONS["withdrawal note"]
    )
    text = "\n".join(every_cell()).casefold()
    for what, value in REASONS.items():
        assert value.casefold() not in text, f"{what} is readable in the database"
    enrolment.refresh_from_db()
    assert enrolment.eligibility_reason == REASONS["eligibility reason"]


def test_reasons_written_before_encryption_are_encrypted_in_place_once(world: World) -> None:
    event = world.rosa_enrolment.events.first()
    assert event is not None
    table = JourneyEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET reason = %s WHERE id = %s",  # noqa: S608
            [REASONS["move reason"], JourneyEvent._meta.pk.get_db_prep_value(event.pk, connection)],
        )
    editor = SimpleNamespace(connection=connection)
    assert encrypt_plain_rows(table, "reason", editor) == 1
    assert REASONS["move reason"].casefold() not in "\n".join(every_cell()).casefold()
    event.refresh_from_db()
    assert event.reason == REASONS["move reason"]
    # A second run finds nothing left to encrypt.
    assert encrypt_plain_rows(table, "reason", editor) == 0

"""What someone with a copy of the database (but not the keys) can read."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from doorway.conftest import World
from doorway.enrolments.actions import register_participant
from doorway.people.actions import add_safety_flag, update_identity

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
    cells = []
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

"""Recording and editing contacts: the rules, lateness, history and encryption."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.casework.actions import edit_contact, record_contact
from doorway.casework.models import Contact, ContactKind
from doorway.conftest import World
from doorway.programs.models import FocusArea

pytestmark = pytest.mark.django_db

SECRET_NOTE = "She told me about the man at the motel on Kingston Road"


def today() -> datetime.date:
    return timezone.localdate()


def a_contact(world: World, **kw: object) -> Contact:
    values: dict[str, Any] = {
        "by": world.alice,
        "happened_on": today(),
        "duration_minutes": 45,
        "kind": ContactKind.INDIVIDUAL_COUNSELLING,
        "note": SECRET_NOTE,
    }
    values.update(kw)
    return record_contact(world.rosa_enrolment, **values)


def stored(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_the_note_is_stored_encrypted_in_the_table_and_in_its_history(world: World) -> None:
    contact = a_contact(world)
    edit_contact(contact, by=world.alice, note=SECRET_NOTE + ", and the second time")
    for table in ("casework_contact", "casework_historicalcontact"):
        tokens = stored(table, "note")
        assert tokens
        assert all(t.startswith("gAAAA") for t in tokens), table
        assert not any("Kingston" in t for t in tokens), table
    assert Contact.objects.get(pk=contact.pk).note.endswith("the second time")


def test_recording_audits_the_fields_but_never_the_note(world: World) -> None:
    contact = a_contact(world)
    entry = AuditEntry.objects.filter(action="create", object_id=str(contact.pk)).get()
    assert entry.participant_id == str(world.rosa.pk)
    assert "note" in entry.detail["fields"]
    assert "Kingston" not in str(entry.detail)


def test_a_note_written_exactly_the_limit_of_days_later_is_not_late(world: World, settings) -> None:
    settings.LATE_NOTE_DAYS = 3
    contact = a_contact(world, happened_on=today() - datetime.timedelta(days=3))
    assert not contact.is_late


def test_a_note_written_one_day_past_the_limit_is_late(world: World, settings) -> None:
    settings.LATE_NOTE_DAYS = 3
    contact = a_contact(world, happened_on=today() - datetime.timedelta(days=4))
    assert contact.is_late


def test_lateness_counts_local_days_not_hours(world: World, settings) -> None:
    settings.LATE_NOTE_DAYS = 3
    contact_day = datetime.date(2025, 6, 2)
    world.rosa_enrolment.referred_on = datetime.date(2025, 1, 1)
    world.rosa_enrolment.save()
    # Late evening (Toronto) of the third day after: on time.
    with time_machine.travel(datetime.datetime(2025, 6, 6, 3, 30, tzinfo=datetime.UTC)):
        assert not a_contact(world, happened_on=contact_day).is_late
    # Just after local midnight: the fourth day, so late.
    with time_machine.travel(datetime.datetime(2025, 6, 6, 4, 30, tzinfo=datetime.UTC)):
        assert a_contact(world, happened_on=contact_day).is_late


def test_moving_the_date_of_a_contact_re_marks_it_against_when_it_was_recorded(
    world: World, settings
) -> None:
    settings.LATE_NOTE_DAYS = 3
    contact = a_contact(world)
    edit_contact(contact, by=world.alice, happened_on=today() - datetime.timedelta(days=10))
    assert Contact.objects.get(pk=contact.pk).is_late


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"happened_on": datetime.date(2999, 1, 1)}, "happened_on"),
        ({"happened_on": datetime.date(2000, 1, 1)}, "happened_on"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 601}, "duration_minutes"),
        ({"kind": "séance"}, "kind"),
        ({"note": "   "}, "note"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_saved(
    world: World, changes: dict[str, object], field: str
) -> None:
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refusal:
        a_contact(world, **changes)
    assert field in refusal.value.message_dict
    assert Contact.objects.count() == 0
    assert Contact.history.count() == 0
    assert AuditEntry.objects.count() == audits


def test_focus_areas_of_another_program_are_refused(world: World) -> None:
    elsewhere = FocusArea.objects.filter(program=world.other_program).first()
    assert elsewhere is not None
    with pytest.raises(ValidationError) as refusal:
        a_contact(world, focus_areas=[elsewhere])
    assert "focus_areas" in refusal.value.message_dict
    assert Contact.objects.count() == 0


def test_a_refused_edit_changes_nothing(world: World) -> None:
    contact = a_contact(world)
    versions = contact.history.count()
    with pytest.raises(ValidationError):
        edit_contact(contact, by=world.alice, duration_minutes=0, note="changed")
    again = Contact.objects.get(pk=contact.pk)
    assert (again.duration_minutes, again.note) == (45, SECRET_NOTE)
    assert again.history.count() == versions


def test_a_peer_mentor_records_peer_contacts_only(world: World) -> None:
    contact = a_contact(world, by=world.pat, kind=ContactKind.PEER_CONTACT, note="")
    assert contact.recorded_by == world.pat
    with pytest.raises(ValidationError) as refusal:
        a_contact(world, by=world.pat, kind=ContactKind.CRISIS_SUPPORT)
    assert "kind" in refusal.value.message_dict
    assert Contact.objects.count() == 1


def test_a_peer_mentor_does_not_edit_and_others_do_not_write_at_all(world: World) -> None:
    contact = a_contact(world)
    with pytest.raises(PermissionDenied):
        edit_contact(contact, by=world.pat, duration_minutes=10)
    for who in (world.ada, world.eve):
        with pytest.raises(PermissionDenied):
            a_contact(world, by=who)
    assert Contact.objects.get(pk=contact.pk).duration_minutes == 45
    assert Contact.objects.count() == 1


def test_edits_keep_every_earlier_version_with_its_focus_areas(world: World) -> None:
    first, second = FocusArea.objects.filter(program=world.program)[:2]
    contact = a_contact(world, focus_areas=[first])
    edit_contact(contact, by=world.amira, note="Rewritten", focus_areas=[second])
    versions = list(contact.history.order_by("history_date", "history_id"))
    assert [v.note for v in versions] == [SECRET_NOTE, "Rewritten"]
    assert [v.history_user for v in versions] == [world.alice, world.amira]
    assert [[link.focusarea for link in v.focus_areas.all()] for v in versions] == [
        [first],
        [second],
    ]
    entry = AuditEntry.objects.filter(action="change", object_id=str(contact.pk)).get()
    assert sorted(entry.detail["fields"]) == ["focus_areas", "note"]


def test_an_edit_that_changes_nothing_writes_nothing(world: World) -> None:
    contact = a_contact(world)
    audits = AuditEntry.objects.count()
    edit_contact(contact, by=world.alice, note=SECRET_NOTE)
    assert contact.history.count() == 1
    assert AuditEntry.objects.count() == audits


def test_rotate_keys_re_encrypts_notes_and_their_history(world: World, settings) -> None:
    contact = a_contact(world)
    edit_contact(contact, by=world.alice, note="Second version")
    before = stored("casework_contact", "note") + stored("casework_historicalcontact", "note")
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY, old_key]
    call_command("rotate-keys")
    settings.FIELD_ENCRYPTION_KEYS = [settings.SPARE_FIELD_KEY]
    after = stored("casework_contact", "note") + stored("casework_historicalcontact", "note")
    assert not set(before) & set(after)
    again = Contact.objects.get(pk=contact.pk)
    assert again.note == "Second version"
    assert sorted(v.note for v in again.history.all()) == sorted([SECRET_NOTE, "Second version"])


def test_no_table_holds_a_case_note_in_plain_text(world: World) -> None:
    from doorway.people.tests.test_raw_database import every_cell

    contact = a_contact(world)
    edit_contact(contact, by=world.alice, note=SECRET_NOTE + " again")
    text = "\n".join(every_cell()).casefold()
    assert "kingston road" not in text

"""The contact pages and the contacts section of the enrolment page, by role."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.casework.actions import record_contact
from doorway.casework.models import Contact, ContactKind
from doorway.conftest import World
from doorway.people.actions import break_the_glass
from doorway.programs.models import FocusArea
from doorway.testing.forms import post_form
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

NOTE = "Talked through the housing application"


def add_contact(world: World, by=None, kind=ContactKind.INDIVIDUAL_COUNSELLING, note=NOTE):
    return record_contact(
        world.rosa_enrolment,
        by=by or world.alice,
        happened_on=timezone.localdate(),
        duration_minutes=30,
        kind=kind,
        note=note,
    )


def enrolment_page(world: World) -> str:
    return reverse("enrolment_detail", args=[world.rosa_enrolment.pk])


def record_url(world: World) -> str:
    return reverse("contact_record", args=[world.rosa_enrolment.pk])


def payload(**kw: object) -> dict[str, object]:
    data: dict[str, object] = {
        "happened_on": timezone.localdate().isoformat(),
        "duration_minutes": "50",
        "kind": ContactKind.ACCOMPANIMENT,
        "note": NOTE,
    }
    data.update(kw)
    return data


def test_a_case_manager_records_a_contact_from_the_form(client, world: World) -> None:
    area = FocusArea.objects.filter(program=world.program).first()
    assert area is not None
    signed_in(client, world.alice)
    response = client.post(record_url(world), payload(focus_areas=[area.pk]))
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.kind, contact.duration_minutes, contact.note) == ("accompaniment", 50, NOTE)
    assert list(contact.focus_areas.all()) == [area]
    page = client.get(enrolment_page(world)).content.decode()
    assert NOTE in page
    assert area.name in page
    history = reverse("contact_history", args=[world.rosa_enrolment.pk, contact.pk])
    assert area.name in client.get(history).content.decode()


def test_bad_input_shows_errors_next_to_fields_keeps_what_was_typed_and_saves_nothing(
    client, world: World
) -> None:
    signed_in(client, world.alice)
    response = client.post(
        record_url(world), payload(duration_minutes="900", happened_on="2999-01-01")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="contact_duration_minutes-errors"' in page
    assert "A contact cannot be dated in the future." in page
    assert NOTE in page
    assert Contact.objects.count() == 0


@pytest.mark.parametrize("minutes", ["0", "900", "half an hour"])
def test_a_bad_duration_is_explained_in_a_case_managers_words(
    client, world: World, minutes: str
) -> None:
    signed_in(client, world.alice)
    response = client.post(record_url(world), payload(duration_minutes=minutes))
    assert "Give a duration from 1 to 600 minutes." in response.content.decode()
    assert Contact.objects.count() == 0


def test_the_form_pages_have_no_inline_styles_or_scripts(client, world: World) -> None:
    contact = add_contact(world)
    signed_in(client, world.alice)
    for url in (
        record_url(world),
        reverse("contact_edit", args=[world.rosa_enrolment.pk, contact.pk]),
        reverse("contact_history", args=[world.rosa_enrolment.pk, contact.pk]),
        enrolment_page(world),
    ):
        page = client.get(url).content.decode()
        assert " style=" not in page, url
        assert "<script>" not in page, url


def test_reading_notes_on_the_enrolment_page_is_audited(client, world: World) -> None:
    contact = add_contact(world)
    signed_in(client, world.amira)
    client.get(enrolment_page(world))
    entry = AuditEntry.objects.filter(action="view", actor_username="amira").last()
    views = AuditEntry.objects.filter(action="view", actor_username="amira")
    assert any(str(contact.pk) in e.detail.get("notes", []) for e in views), entry


def test_a_peer_mentor_sees_her_own_peer_contacts_without_any_note(client, world: World) -> None:
    add_contact(world, note="Clinical: a note only the care team reads")
    add_contact(world, by=world.pat, kind=ContactKind.PEER_CONTACT, note="Her own words")
    signed_in(client, world.pat)
    page = client.get(enrolment_page(world)).content.decode()
    assert "Peer contact" in page
    assert "Individual counselling" not in page
    assert "Clinical" not in page
    assert "Her own words" not in page


def test_a_peer_mentor_cannot_open_notes_nor_record_other_kinds(client, world: World) -> None:
    contact = add_contact(world)
    signed_in(client, world.pat)
    for name in ("contact_edit", "contact_history"):
        url = reverse(name, args=[world.rosa_enrolment.pk, contact.pk])
        assert client.get(url).status_code == 403
    response = client.post(record_url(world), payload(kind=ContactKind.CRISIS_SUPPORT))
    assert response.status_code == 200
    assert Contact.objects.count() == 1
    response = client.post(record_url(world), payload(kind=ContactKind.PEER_CONTACT, note=""))
    assert response.status_code == 302
    assert Contact.objects.filter(recorded_by=world.pat, kind="peer").count() == 1


def test_another_teams_case_manager_gets_404_and_the_refusal_is_audited(
    client, world: World
) -> None:
    contact = add_contact(world)
    signed_in(client, world.bianca)
    for url in (
        record_url(world),
        reverse("contact_edit", args=[world.rosa_enrolment.pk, contact.pk]),
        reverse("contact_history", args=[world.rosa_enrolment.pk, contact.pk]),
    ):
        before = AuditEntry.objects.filter(action="refused", actor_username="bianca").count()
        assert client.get(url).status_code == 404
        after = AuditEntry.objects.filter(action="refused", actor_username="bianca").count()
        assert after == before + 1
    assert client.post(record_url(world), payload()).status_code == 404
    assert Contact.objects.count() == 1


def test_a_contact_is_reached_only_through_its_own_enrolment(client, world: World) -> None:
    contact = add_contact(world)
    tess_enrolment = world.tess.enrolments.get()
    signed_in(client, world.alice)
    url = reverse("contact_edit", args=[tess_enrolment.pk, contact.pk])
    assert client.get(url).status_code == 404


def test_an_edit_keeps_the_earlier_version_on_the_history_page(client, world: World) -> None:
    contact = add_contact(world)
    signed_in(client, world.alice)
    url = reverse("contact_edit", args=[world.rosa_enrolment.pk, contact.pk])
    assert NOTE in client.get(url).content.decode()
    response = post_form(client, url, payload(kind=contact.kind, note="A better note"))
    assert response.status_code == 302
    history = client.get(reverse("contact_history", args=[world.rosa_enrolment.pk, contact.pk]))
    page = history.content.decode()
    assert "A better note" in page
    assert NOTE in page
    assert page.count('class="border-bottom py-2 version"') == 2


def test_an_administrator_who_broke_the_glass_reads_notes_but_cannot_write(
    client, world: World
) -> None:
    contact = add_contact(world)
    break_the_glass(world.rosa, by=world.ada, reason="Court order, checking one date")
    signed_in(client, world.ada)
    assert NOTE in client.get(enrolment_page(world)).content.decode()
    history = reverse("contact_history", args=[world.rosa_enrolment.pk, contact.pk])
    assert client.get(history).status_code == 200
    assert client.post(record_url(world), payload()).status_code == 403
    edit = reverse("contact_edit", args=[world.rosa_enrolment.pk, contact.pk])
    assert client.post(edit, payload(note="x")).status_code == 403
    assert Contact.objects.get().note == NOTE


def test_the_late_badge_shows_for_a_late_note(client, world: World, settings) -> None:
    settings.LATE_NOTE_DAYS = 3
    record_contact(
        world.rosa_enrolment,
        by=world.alice,
        happened_on=timezone.localdate() - datetime.timedelta(days=5),
        duration_minutes=20,
        kind=ContactKind.PHONE_OR_TEXT,
        note="Called back",
    )
    signed_in(client, world.alice)
    assert ">Late</span>" in client.get(enrolment_page(world)).content.decode()


# The same ceiling for 2 and for 20 contacts: no query per contact. The page carries
# every casework section (plan, assessments, drop-ins, referrals, supervision, transfer)
# and audits its reads, so the ceiling is the whole page's, measured.
PAGE_QUERIES = 47


@pytest.mark.parametrize("count", [2, 20])
def test_the_enrolment_page_costs_the_same_queries_for_2_or_20_contacts(
    client, world: World, count: int, django_assert_max_num_queries
) -> None:
    areas = list(FocusArea.objects.filter(program=world.program)[:2])
    for n in range(count):
        record_contact(
            world.rosa_enrolment,
            by=world.alice if n % 2 else world.amira,
            happened_on=timezone.localdate(),
            duration_minutes=10 + n,
            kind=ContactKind.PHONE_OR_TEXT,
            focus_areas=areas,
            note=f"Note {n}",
        )
    signed_in(client, world.alice)
    client.get(enrolment_page(world))
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(enrolment_page(world))
    assert response.content.decode().count('class="border-bottom py-2 contact"') == count

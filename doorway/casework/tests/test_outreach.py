"""Outreach in the pre-phase: recording, the log and its summary, and linking earlier
contacts to her record."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.casework.models import OutreachContact
from doorway.casework.outreach import actions as outreach
from doorway.casework.tests.helpers import an_outreach
from doorway.testing.factories import CycleFactory, EnrolmentFactory, ProgramFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


# --- recording -----------------------------------------------------------------------


def test_an_outreach_contact_is_recorded_with_its_materials_and_audited_without_text(world):
    contact = an_outreach(
        world, nickname="Sunny", note="Took a card", materials=["food", "info_card"]
    )
    contact.refresh_from_db()
    assert contact.material_labels() == ["Food or drink", "Information card"]
    assert contact.nickname == "Sunny"
    entry = AuditEntry.objects.get(action="create", object_id=str(contact.pk))
    assert "nickname" in entry.detail["fields"]
    assert "Sunny" not in str(entry.detail)
    assert "card" not in str(entry.detail)


def test_the_nickname_and_note_are_encrypted_at_rest(world):
    contact = an_outreach(world, nickname="Sunny", note="Took a card")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nickname, note FROM casework_outreachcontact WHERE id = %s",
            [contact.pk.hex if connection.vendor == "sqlite" else contact.pk],
        )
        nickname, note = cursor.fetchone()
    assert "Sunny" not in nickname
    assert "card" not in note


def test_every_problem_is_reported_at_once_and_nothing_is_saved(world):
    with pytest.raises(ValidationError) as refused:
        an_outreach(
            world,
            happened_on=TODAY() + datetime.timedelta(days=1),
            kind="door_to_door",
            place="  ",
            women_reached=0,
            materials=["cash"],
        )
    assert set(refused.value.error_dict) == {
        "happened_on",
        "kind",
        "place",
        "women_reached",
        "materials",
    }
    assert not OutreachContact.objects.exists()


def test_more_referrals_than_women_reached_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        an_outreach(world, women_reached=2, referrals_in=3)
    assert set(refused.value.error_dict) == {"referrals_in"}


def test_a_peer_mentor_records_outreach(world):
    assert an_outreach(world, by=world.pat).recorded_by == world.pat


@pytest.mark.parametrize("who", ["eve", "ada", "oscar", "olive"])
def test_evaluators_administrators_and_other_programs_do_not_record(world, who):
    with pytest.raises(PermissionDenied):
        an_outreach(world, by=world.staff()[who])
    assert not OutreachContact.objects.exists()


def test_a_nickname_is_found_exactly_whatever_its_case_and_accents(world):
    sunny = an_outreach(world, nickname="Sunny Dé")
    an_outreach(world, nickname="Sun")
    found = OutreachContact.objects.with_nickname("  sunny de ")
    assert list(found) == [sunny]
    assert not OutreachContact.objects.with_nickname("").exists()


# --- the summary ---------------------------------------------------------------------


def test_the_summary_counts_contacts_women_materials_and_referrals_in_the_range(world):
    an_outreach(world, women_reached=3, referrals_in=1, materials=["food", "hygiene"])
    an_outreach(world, women_reached=2, referrals_in=0, materials=["food"])
    an_outreach(world, happened_on=TODAY() - datetime.timedelta(days=40), women_reached=7)
    summary = outreach.summarise(world.program, TODAY() - datetime.timedelta(days=7), TODAY())
    assert (summary.contacts, summary.women_reached, summary.referrals_in) == (2, 5, 1)
    materials = dict(summary.materials)
    assert materials["Food or drink"] == 2
    assert materials["Hygiene kit"] == 1
    assert materials["Clothing"] == 0


# --- the log page --------------------------------------------------------------------


def log(client, world):
    return client.get(reverse("outreach_log", args=[world.program.pk]))


def test_a_case_manager_reads_every_nickname_in_the_log(client, world):
    an_outreach(world, by=world.pat, nickname="Sunny", note="Pat's note")
    signed_in(client, world.bianca)
    page = log(client, world).content.decode()
    assert "Sunny" in page
    assert "Pat&#x27;s note" in page


def test_a_peer_mentor_reads_the_nicknames_of_her_own_entries_only(client, world):
    an_outreach(world, by=world.pat, nickname="Jade", note="Mine")
    an_outreach(world, by=world.alice, nickname="Sunny", note="Alice's", place="Shelter")
    signed_in(client, world.pat)
    page = log(client, world).content.decode()
    assert "Jade" in page
    assert "Mine" in page
    assert "Sunny" not in page
    assert "Alice" not in page.split("Recorded by")[0]
    # ...but the counts and places of everyone's.
    assert "Shelter" in page


@pytest.mark.parametrize("who", ["bianca", "pat"])
def test_the_log_does_not_tell_who_does_not_reach_her_that_she_enrolled(client, world, who):
    """Linking Tess's outreach (Amira's caseload) changes nothing in the log for Bianca
    (another team) or Pat (not her peer mentor), even on Pat's own entry."""
    contact = an_outreach(world, by=world.pat, nickname="Jade")
    tess = world.tess.enrolments.get()
    outreach.link_outreach(tess, [contact], by=world.amira)
    signed_in(client, getattr(world, who))
    page = log(client, world).content.decode()
    assert "Jade" in page
    assert "Linked to a record" not in page
    signed_in(client, world.amira)
    assert "Linked to a record" in log(client, world).content.decode()


def test_an_evaluator_gets_404_and_the_refusal_is_audited(client, world):
    signed_in(client, world.eve)
    assert log(client, world).status_code == 404
    assert AuditEntry.objects.filter(action="refused", actor_username="eve").exists()


def test_the_summary_shows_on_the_log_for_the_chosen_dates(client, world):
    an_outreach(world, women_reached=4)
    an_outreach(world, happened_on=TODAY() - datetime.timedelta(days=200), women_reached=9)
    signed_in(client, world.alice)
    start = (TODAY() - datetime.timedelta(days=10)).isoformat()
    response = client.get(
        reverse("outreach_log", args=[world.program.pk]), {"start": start, "end": TODAY()}
    )
    assert response.context["summary"].women_reached == 4


@pytest.mark.parametrize("rows", [2, 20])
def test_the_log_keeps_a_fixed_number_of_queries(
    client, world, rows, django_assert_max_num_queries
):
    for n in range(rows):
        an_outreach(world, by=world.pat if n % 2 else world.alice, nickname=f"N{n}")
    signed_in(client, world.pat)
    with django_assert_max_num_queries(22):
        assert log(client, world).status_code == 200


def test_the_record_form_keeps_what_was_typed_and_says_what_is_wrong(client, world):
    signed_in(client, world.pat)
    url = reverse("outreach_record", args=[world.program.pk])
    response = client.post(
        url, {"happened_on": TODAY(), "kind": "street", "place": "Downtown", "women_reached": "0",
              "referrals_in": "0"},
    )  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Downtown"' in page
    assert "outreach_women_reached-errors" in page
    assert not OutreachContact.objects.exists()


def test_the_record_form_saves_and_returns_to_the_log(client, world):
    signed_in(client, world.pat)
    response = client.post(
        reverse("outreach_record", args=[world.program.pk]),
        {"happened_on": TODAY(), "kind": "in_reach", "place": "Shelter", "women_reached": "4",
         "referrals_in": "2", "materials": ["hygiene", "transit"], "nickname": "Bee"},
    )  # fmt: skip
    assert response.status_code == 302
    contact = OutreachContact.objects.get()
    assert (contact.women_reached, contact.nickname, contact.recorded_by) == (4, "Bee", world.pat)


# --- linking to her record -----------------------------------------------------------


def test_her_case_manager_links_earlier_outreach_to_her_record_and_can_undo_it(world):
    contact = an_outreach(world, by=world.pat, nickname="Sunny")
    outreach.link_outreach(world.rosa_enrolment, [contact], by=world.alice)
    contact.refresh_from_db()
    assert contact.participant == world.rosa
    assert AuditEntry.objects.filter(
        action="change", participant_id=str(world.rosa.pk), detail__event="outreach_linked"
    ).exists()
    outreach.unlink_outreach(world.rosa_enrolment, contact, by=world.alice)
    contact.refresh_from_db()
    assert contact.participant is None
    assert outreach.linkable_for(world.rosa_enrolment).filter(pk=contact.pk).exists()


@pytest.mark.parametrize("who", ["bianca", "pat", "eve", "oscar"])
def test_someone_who_does_not_reach_her_or_does_not_link_is_refused(world, who):
    contact = an_outreach(world)
    with pytest.raises(PermissionDenied):
        outreach.link_outreach(world.rosa_enrolment, [contact], by=world.staff()[who])
    contact.refresh_from_db()
    assert contact.participant is None


def test_outreach_of_another_program_or_already_linked_is_not_linked(world):
    other = ProgramFactory(agency=world.agency, slug="other-edh")
    world.alice.programs.add(other)
    elsewhere = outreach.record_outreach(
        other, by=world.alice, happened_on=TODAY(), kind="street", place="Park",
        women_reached=1, referrals_in=0,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        outreach.link_outreach(world.rosa_enrolment, [elsewhere], by=world.alice)
    taken = an_outreach(world)
    tess = world.tess.enrolments.get()
    outreach.link_outreach(tess, [taken], by=world.amira)
    with pytest.raises(ValidationError):
        outreach.link_outreach(world.rosa_enrolment, [taken], by=world.alice)
    taken.refresh_from_db()
    assert taken.participant == world.tess


def test_the_link_page_finds_by_nickname_through_a_post_and_links(client, world):
    sunny = an_outreach(world, nickname="Sunny", place="Shelter")
    an_outreach(world, nickname="Jade", place="Stroll")
    signed_in(client, world.alice)
    url = reverse("outreach_link", args=[world.rosa_enrolment.pk])
    page = client.post(url, {"nickname": "sunny"}).content.decode()
    assert "Shelter" in page
    assert "Stroll" not in page
    response = client.post(url, {"nickname": "sunny", "link": "1", "contacts": [sunny.pk]})
    assert response.status_code == 302
    sunny.refresh_from_db()
    assert sunny.participant == world.rosa


def test_the_link_page_refuses_a_contact_that_is_not_offered(client, world):
    taken = an_outreach(world)
    outreach.link_outreach(world.tess.enrolments.get(), [taken], by=world.amira)
    signed_in(client, world.alice)
    url = reverse("outreach_link", args=[world.rosa_enrolment.pk])
    response = client.post(url, {"link": "1", "contacts": [taken.pk]})
    assert response.status_code == 200
    assert "link_contacts-errors" in response.content.decode()
    taken.refresh_from_db()
    assert taken.participant == world.tess


@pytest.mark.parametrize("rows", [2, 20])
def test_the_link_page_keeps_a_fixed_number_of_queries(
    client, world, rows, django_assert_max_num_queries
):
    for n in range(rows):
        contact = an_outreach(world, nickname=f"N{n}")
        if n % 2:
            outreach.link_outreach(world.rosa_enrolment, [contact], by=world.alice)
    signed_in(client, world.alice)
    # The same ceiling for 2 and 20 rows (the first phase is looked up once).
    with django_assert_max_num_queries(23):
        response = client.get(reverse("outreach_link", args=[world.rosa_enrolment.pk]))
    assert response.status_code == 200


def test_the_enrolment_page_counts_her_linked_outreach_for_the_care_team_only(client, world):
    outreach.link_outreach(world.rosa_enrolment, [an_outreach(world)], by=world.alice)
    url = reverse("enrolment_detail", args=[world.rosa_enrolment.pk])
    signed_in(client, world.alice)
    assert "1 outreach contact linked" in client.get(url).content.decode()
    signed_in(client, world.pat)
    assert "outreach contact linked" not in client.get(url).content.decode()


def test_a_second_program_of_hers_offers_only_its_own_outreach(world):
    other = ProgramFactory(agency=world.agency, slug="second")
    world.alice.programs.add(other)
    enrolment = EnrolmentFactory(
        participant=world.rosa, cycle=CycleFactory(program=other), case_manager=world.alice
    )
    mine = outreach.record_outreach(
        other, by=world.alice, happened_on=TODAY(), kind="street", place="Park",
        women_reached=1, referrals_in=0,
    )  # fmt: skip
    an_outreach(world)
    assert list(outreach.linkable_for(enrolment)) == [mine]


def test_another_programs_outreach_linked_to_her_stays_that_programs_record(client, world):
    """Morgan manages Exit Doors Here only: outreach of a second program that Rosa is
    also enrolled in is neither shown, counted nor unlinked from her enrolment here."""
    other = ProgramFactory(agency=world.agency, slug="second")
    world.alice.programs.add(other)
    second = EnrolmentFactory(
        participant=world.rosa, cycle=CycleFactory(program=other), case_manager=world.alice
    )
    theirs = outreach.record_outreach(
        other, by=world.alice, happened_on=TODAY(), kind="street", place="Park",
        women_reached=1, referrals_in=0, nickname="Bee",
    )  # fmt: skip
    outreach.link_outreach(second, [theirs], by=world.alice)
    here = world.rosa_enrolment
    signed_in(client, world.morgan)
    page = client.get(reverse("outreach_link", args=[here.pk])).content.decode()
    assert "Bee" not in page
    detail = client.get(reverse("enrolment_detail", args=[here.pk])).content.decode()
    assert "No outreach contacts linked" in detail
    unlink = reverse("outreach_unlink", args=[here.pk, theirs.pk])
    assert client.post(unlink).status_code == 404
    with pytest.raises(ValidationError):
        outreach.unlink_outreach(here, theirs, by=world.alice)
    theirs.refresh_from_db()
    assert theirs.participant == world.rosa


def test_outreach_after_she_moved_on_from_the_first_phase_is_not_hers_to_link(world):
    enrolment = world.rosa_enrolment
    before = an_outreach(world, happened_on=TODAY() - datetime.timedelta(days=3))
    enrolment.move_to(
        enrolment.program.active_phases()[1],
        by=world.alice,
        on=TODAY() - datetime.timedelta(days=2),
    )
    after = an_outreach(world, happened_on=TODAY() - datetime.timedelta(days=1))
    assert list(outreach.linkable_for(enrolment)) == [before]
    with pytest.raises(ValidationError) as refused:
        outreach.link_outreach(enrolment, [after], by=world.alice)
    assert "before she moved on" in str(refused.value)
    after.refresh_from_db()
    assert after.participant is None
    assert outreach.link_outreach(enrolment, [before], by=world.alice) == [before]

"""Transfer of care and the closing note: when they may be written, by whom, consent for
partners at the table, the kept history, and the closing note falling due."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from doorway.casework.due import closing_notes_due
from doorway.casework.models import ClosingNote, TransferOfCare
from doorway.casework.tests.helpers import graduated, in_last_phase
from doorway.casework.transfer import actions as transfer
from doorway.enrolments.due import DueKind
from doorway.enrolments.models import Enrolment
from doorway.people.models import ConsentKind
from doorway.testing.factories import ConsentFactory, EnrolmentFactory, PartnerFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def meeting(world, enrolment=None, by=None, **kw):
    values = {"met_on": TODAY(), "supports": "Her sister\n\nHer doctor ", "agreed": "Monthly",
              **kw}  # fmt: skip
    return transfer.record_transfer(
        enrolment or world.rosa_enrolment, by=by or world.alice, **values
    )


def test_the_meeting_waits_for_her_last_phase(world):
    with pytest.raises(ValidationError) as refused:
        meeting(world)
    assert "__all__" in refused.value.error_dict
    assert not TransferOfCare.objects.exists()


def test_the_meeting_is_recorded_in_her_last_phase_and_after_graduation(world):
    in_last_phase(world.rosa_enrolment)
    first = meeting(world)
    assert first.support_list() == ["Her sister", "Her doctor"]
    graduated(world.rosa_enrolment)
    meeting(world)
    assert TransferOfCare.objects.count() == 2


def test_a_partner_at_the_table_needs_her_consent_to_share_with_it(world):
    in_last_phase(world.rosa_enrolment)
    partner = PartnerFactory(agency=world.agency, name="Housing First")
    with pytest.raises(ValidationError) as refused:
        meeting(world, supports="", partners=[partner])
    assert "Housing First" in str(refused.value.error_dict["partners"])
    ConsentFactory(participant=world.rosa, kind=ConsentKind.INFORMATION_SHARING,
                   partner=partner, recorded_by=world.alice)  # fmt: skip
    done = meeting(world, supports="", partners=[partner])
    assert list(done.partners.all()) == [partner]


def test_a_partner_of_another_agency_is_refused(world):
    in_last_phase(world.rosa_enrolment)
    with pytest.raises(ValidationError) as refused:
        meeting(world, partners=[PartnerFactory(agency=world.other_agency)])
    assert set(refused.value.error_dict) == {"partners"}


def test_the_meeting_names_who_took_part_and_what_was_agreed(world):
    in_last_phase(world.rosa_enrolment)
    with pytest.raises(ValidationError) as refused:
        meeting(world, supports=" ", agreed="", met_on=TODAY() + datetime.timedelta(days=2))
    assert set(refused.value.error_dict) == {"supports", "agreed", "met_on"}


@pytest.mark.parametrize("who", ["pat", "bianca", "eve", "ada", "oscar"])
def test_only_her_care_team_records_the_meeting_and_the_note(world, who):
    graduated(world.rosa_enrolment)
    with pytest.raises(PermissionDenied):
        meeting(world, by=world.staff()[who])
    with pytest.raises(PermissionDenied):
        transfer.write_closing_note(
            world.rosa_enrolment, by=world.staff()[who], written_on=TODAY(), text="x"
        )
    assert not TransferOfCare.objects.exists()
    assert not ClosingNote.objects.exists()


def test_the_closing_note_keeps_its_earlier_versions(world):
    graduated(world.rosa_enrolment)
    note = transfer.write_closing_note(
        world.rosa_enrolment, by=world.alice, written_on=TODAY(), text="First"
    )
    transfer.write_closing_note(
        world.rosa_enrolment, by=world.amira, written_on=TODAY(), text="Second"
    )
    note.refresh_from_db()
    assert note.text == "Second"
    assert note.edited_at is not None
    assert [v.text for v in note.history.order_by("history_date")] == ["First", "Second"]
    assert note.history.earliest("history_date").history_user == world.alice


def test_the_closing_note_waits_for_her_last_phase(world):
    with pytest.raises(ValidationError):
        transfer.write_closing_note(
            world.rosa_enrolment, by=world.alice, written_on=TODAY(), text="Too soon"
        )
    assert not ClosingNote.objects.exists()


def test_the_closing_note_form_keeps_what_was_typed(client, world):
    graduated(world.rosa_enrolment)
    signed_in(client, world.alice)
    response = client.post(
        reverse("closing_note", args=[world.rosa_enrolment.pk]),
        {"written_on": "", "text": "She did it"},
    )
    assert response.status_code == 200
    assert "She did it" in response.content.decode()
    assert not ClosingNote.objects.exists()


def test_the_enrolment_page_shows_transfer_and_note_to_the_care_team_not_the_peer_mentor(
    client, world
):
    in_last_phase(world.rosa_enrolment)
    meeting(world, agreed="Her sister takes over")
    transfer.write_closing_note(
        world.rosa_enrolment, by=world.alice, written_on=TODAY(), text="Closing words"
    )
    url = reverse("enrolment_detail", args=[world.rosa_enrolment.pk])
    signed_in(client, world.amira)
    page = client.get(url).content.decode()
    assert "Her sister takes over" in page
    assert "Closing words" in page
    signed_in(client, world.pat)
    page = client.get(url).content.decode()
    assert "Her sister" not in page
    assert "Closing words" not in page


@pytest.mark.parametrize("rows", [2, 20])
def test_the_transfer_section_keeps_a_fixed_number_of_queries(
    rf, world, rows, django_assert_max_num_queries
):
    from doorway.casework.transfer.views import transfer_section

    in_last_phase(world.rosa_enrolment)
    partner = PartnerFactory(agency=world.agency)
    ConsentFactory(participant=world.rosa, kind=ConsentKind.INFORMATION_SHARING,
                   partner=partner, recorded_by=world.alice)  # fmt: skip
    for _ in range(rows):
        meeting(world, partners=[partner])
    request = rf.get("/")
    request.user = world.alice
    enrolment = Enrolment.objects.select_related("cycle__program").get(pk=world.rosa_enrolment.pk)
    with django_assert_max_num_queries(9):
        section = transfer_section(request, enrolment)
    assert section is not None
    assert len(section["casework_transfers"]) == rows


# --- the closing note falls due ----------------------------------------------------------


def test_a_graduate_without_a_closing_note_has_one_due_on_her_graduation_day(world):
    on = TODAY() - datetime.timedelta(days=3)
    graduated(world.rosa_enrolment, on=on)
    dues = list(closing_notes_due([world.rosa_enrolment, world.tess.enrolments.get()]))
    assert [(d.enrolment_id, d.kind, d.due_on) for d in dues] == [
        (world.rosa_enrolment.pk, DueKind.CLOSING_NOTE, on)
    ]
    transfer.write_closing_note(world.rosa_enrolment, by=world.alice, written_on=TODAY(), text="x")
    assert list(closing_notes_due([world.rosa_enrolment])) == []


@pytest.mark.parametrize("rows", [2, 20])
def test_the_closing_note_rule_uses_one_query(world, rows, django_assert_num_queries):
    enrolments = [
        graduated(EnrolmentFactory(cycle=world.rosa_enrolment.cycle, case_manager=world.alice))
        for _ in range(rows)
    ]
    with django_assert_num_queries(1):
        assert len(list(closing_notes_due(enrolments))) == rows

"""Team supervision: sessions, participants reviewed with decisions, and who reads them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.casework.models import SupervisionReview, SupervisionSession
from doorway.casework.supervision import actions as supervision
from doorway.testing.factories import (
    CycleFactory,
    EnrolmentFactory,
    ParticipantFactory,
    ProgramFactory,
)
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def north(world):
    return world.alice.teams.get()


def a_session(world, by=None, **kw):
    values = {"held_on": TODAY(), "led_by": world.alice, "attendees": [world.amira], **kw}
    return supervision.record_session(north(world), by=by or world.alice, **values)


def test_a_session_is_recorded_with_its_leader_among_the_attendees(world):
    session = a_session(world)
    assert set(session.attendees.all()) == {world.alice, world.amira}


def test_a_session_needs_a_date_not_in_the_future_and_a_leader_of_the_agency(world):
    with pytest.raises(ValidationError) as refused:
        a_session(world, held_on=TODAY() + datetime.timedelta(days=1), led_by=world.oscar,
                  attendees=[world.olive])  # fmt: skip
    assert set(refused.value.error_dict) == {"held_on", "led_by", "attendees"}
    assert not SupervisionSession.objects.exists()


@pytest.mark.parametrize("who", ["pat", "eve", "ada", "bianca", "oscar", "olive"])
def test_only_the_team_and_its_program_manager_record_a_session(world, who):
    with pytest.raises(PermissionDenied):
        a_session(world, by=world.staff()[who])
    assert not SupervisionSession.objects.exists()


def test_a_program_manager_records_for_a_team_of_her_programs_staff(world):
    assert a_session(world, by=world.morgan, led_by=world.morgan).recorded_by == world.morgan


def test_a_review_is_added_with_encrypted_decisions(world):
    session = a_session(world)
    review = supervision.add_review(
        session, by=world.alice, enrolment=world.rosa_enrolment, decisions="Move her on"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT decisions FROM casework_supervisionreview WHERE id = %s",
            [review.pk.hex if connection.vendor == "sqlite" else review.pk],
        )
        assert "Move her on" not in cursor.fetchone()[0]


def test_a_review_of_an_enrolment_she_does_not_reach_is_refused(world):
    session = a_session(world)
    uma = world.uma.enrolments.get()  # Bianca's, on South
    with pytest.raises(PermissionDenied):
        supervision.add_review(session, by=world.alice, enrolment=uma, decisions="Anything")
    assert not SupervisionReview.objects.exists()


def test_a_participant_is_reviewed_once_a_session_and_decisions_are_required(world):
    session = a_session(world)
    supervision.add_review(session, by=world.alice, enrolment=world.rosa_enrolment, decisions="A")
    with pytest.raises(ValidationError) as refused:
        supervision.add_review(session, by=world.amira, enrolment=world.rosa_enrolment,
                               decisions=" ")  # fmt: skip
    assert set(refused.value.error_dict) == {"enrolment", "decisions"}


def hidden_from_morgan(world):
    """An enrolment of Alice's in a program Morgan does not manage: the North team
    reaches it, Morgan does not."""
    program = ProgramFactory(agency=world.agency, slug="elsewhere")
    world.alice.programs.add(program)
    person = ParticipantFactory(
        agency=world.agency, registered_by=world.alice, preferred_name="Zoe"
    )
    return EnrolmentFactory(participant=person, cycle=CycleFactory(program=program),
                            case_manager=world.alice)  # fmt: skip


def test_a_reader_sees_only_the_reviews_of_enrolments_she_reaches(client, world):
    session = a_session(world)
    supervision.add_review(session, by=world.alice, enrolment=world.rosa_enrolment,
                           decisions="Rosa: keep going")  # fmt: skip
    supervision.add_review(session, by=world.amira, enrolment=hidden_from_morgan(world),
                           decisions="Zoe: find housing")  # fmt: skip
    url = reverse("supervision_session", args=[session.pk])
    signed_in(client, world.amira)
    page = client.get(url).content.decode()
    assert "Rosa: keep going" in page
    assert "Zoe: find housing" in page
    signed_in(client, world.morgan)
    page = client.get(url).content.decode()
    assert "Rosa: keep going" in page
    assert "Zoe" not in page
    sessions = client.get(reverse("supervision_sessions", args=[north(world).pk]))
    assert "1 participant reviewed" in sessions.content.decode()


def test_the_review_form_offers_only_enrolments_she_reaches_in_the_teams_caseloads(client, world):
    session = a_session(world)
    hidden = hidden_from_morgan(world)
    signed_in(client, world.morgan)
    response = client.post(
        reverse("supervision_review_add", args=[session.pk]),
        {"enrolment": hidden.pk, "decisions": "Anything"},
    )
    assert response.status_code == 200
    assert "review_enrolment-errors" in response.content.decode()
    assert not SupervisionReview.objects.exists()
    offered = list(response.context["form"].fields["enrolment"].queryset)
    assert world.rosa_enrolment in offered
    assert hidden not in offered


def test_the_review_form_audits_whose_names_it_offers(client, world):
    session = a_session(world)
    signed_in(client, world.alice)
    client.get(reverse("supervision_review_add", args=[session.pk]))
    entry = AuditEntry.objects.filter(action="list", actor_username="alice").latest("pk")
    assert set(entry.detail["shown"]) == {str(world.rosa.pk), str(world.tess.pk)}


def test_recording_a_session_by_the_page_leads_to_adding_reviews(client, world):
    signed_in(client, world.alice)
    response = client.post(
        reverse("supervision_record", args=[north(world).pk]),
        {"held_on": TODAY(), "led_by": world.alice.pk, "attendees": [world.amira.pk]},
    )
    session = SupervisionSession.objects.get()
    assert response["Location"] == reverse("supervision_review_add", args=[session.pk])


@pytest.mark.parametrize("rows", [2, 20])
def test_the_sessions_list_keeps_a_fixed_number_of_queries(
    client, world, rows, django_assert_max_num_queries
):
    for n in range(rows):
        session = a_session(world, held_on=TODAY() - datetime.timedelta(days=n))
        supervision.add_review(session, by=world.alice, enrolment=world.rosa_enrolment,
                               decisions="D")  # fmt: skip
    signed_in(client, world.morgan)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("supervision_sessions", args=[north(world).pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [2, 20])
def test_a_session_page_keeps_a_fixed_number_of_queries(
    client, world, rows, django_assert_max_num_queries
):
    session = a_session(world)
    for n in range(rows):
        person = ParticipantFactory(agency=world.agency, registered_by=world.alice)
        enrolment = EnrolmentFactory(participant=person, cycle=world.rosa_enrolment.cycle,
                                     case_manager=world.amira)  # fmt: skip
        supervision.add_review(session, by=world.amira, enrolment=enrolment, decisions=f"D{n}")
    signed_in(client, world.alice)
    with django_assert_max_num_queries(19):
        response = client.get(reverse("supervision_session", args=[session.pk]))
    assert len(response.context["reviews"]) == rows


def test_the_enrolment_page_shows_her_reviews_to_the_care_team_never_to_her_peer_mentor(
    client, world
):
    session = a_session(world)
    supervision.add_review(session, by=world.alice, enrolment=world.rosa_enrolment,
                           decisions="Plan the move to phase two")  # fmt: skip
    url = reverse("enrolment_detail", args=[world.rosa_enrolment.pk])
    signed_in(client, world.amira)
    assert "Plan the move to phase two" in client.get(url).content.decode()
    signed_in(client, world.pat)
    page = client.get(url).content.decode()
    assert "Plan the move" not in page
    assert "Supervision reviews" not in page


@pytest.mark.parametrize("rows", [2, 20])
def test_the_enrolment_pages_supervision_section_keeps_a_fixed_number_of_queries(
    rf, world, rows, django_assert_max_num_queries
):
    from doorway.casework.supervision.views import supervision_section

    for n in range(rows):
        session = a_session(world, held_on=TODAY() - datetime.timedelta(days=n))
        supervision.add_review(session, by=world.alice, enrolment=world.rosa_enrolment,
                               decisions="D")  # fmt: skip
    request = rf.get("/")
    request.user = world.alice
    with django_assert_max_num_queries(6):
        section = supervision_section(request, world.rosa_enrolment)
    assert section is not None
    assert len(section["casework_reviews"]) == rows

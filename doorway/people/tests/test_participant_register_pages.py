"""Registering a participant: who may, the likely-duplicate warning, nothing half-saved."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.enrolments.models import Enrolment, ReferralSource
from doorway.people.models import Participant
from doorway.testing.factories import CycleFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

REGISTER = reverse("participant_register")
DUPLICATES = reverse("participant_duplicates")


def form_data(world: World, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "preferred_name": "Nadia",
        "legal_name": "Nadia Newcomer",
        "aliases": "Nad\nNini",
        "date_of_birth": "1994-02-03",
        "phone": "416-555-0199",
        "email": "",
        "safe_contact": "Text only, after 6 pm.",
        "cycle": str(world.rosa_enrolment.cycle_id),
        "referral_source": ReferralSource.STREET_OUTREACH,
        "referred_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "case_manager": str(world.alice.pk),
        "peer_mentor": str(world.pat.pk),
    }
    data.update(overrides)
    return data


def test_a_case_manager_registers_her_and_lands_on_her_page(client, world: World) -> None:
    signed_in(client, world.alice)
    response = client.post(REGISTER, form_data(world))
    person = Participant.objects.with_name("Nadia Newcomer").get()
    assert response.status_code == 302
    assert response["Location"] == reverse("participant_detail", args=[person.pk])
    assert person.alias_list() == ["Nad", "Nini"]
    assert person.date_of_birth == datetime.date(1994, 2, 3)
    enrolment = person.enrolments.get()
    assert enrolment.case_manager == world.alice
    assert enrolment.peer_mentor == world.pat
    assert enrolment.events.count() == 1
    assert client.get(response["Location"]).status_code == 200


def test_the_form_offers_her_own_programs_cycles_and_herself_as_case_manager(client, world):
    signed_in(client, world.alice)
    page = client.get(REGISTER).content.decode()
    assert "Exit Doors Here: Cycle 1" in page
    assert "Other Program" not in page
    assert f'<option value="{world.alice.pk}" selected>' in page
    # Another team's case manager is not hers to hand a participant to.
    assert str(world.bianca.pk) not in page


def test_a_program_manager_registers_for_any_case_manager_of_her_program(client, world):
    signed_in(client, world.morgan)
    response = client.post(REGISTER, form_data(world, case_manager=str(world.bianca.pk)))
    assert response.status_code == 302
    assert Participant.objects.with_name("Nadia").get().enrolments.get().case_manager == (
        world.bianca
    )


def test_what_was_typed_is_kept_and_nothing_is_saved_on_an_error(client, world: World) -> None:
    signed_in(client, world.alice)
    before = Participant.objects.count(), Enrolment.objects.count()
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(REGISTER, form_data(world, preferred_name="", referred_on=future))
    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page
    assert "The referral date cannot be in the future." in page
    assert 'value="Nadia Newcomer"' in page
    assert "Text only, after 6 pm." in page
    assert (Participant.objects.count(), Enrolment.objects.count()) == before


def test_a_likely_duplicate_she_can_open_is_linked(client, world: World) -> None:
    signed_in(client, world.alice)
    before = Participant.objects.count()
    response = client.post(REGISTER, form_data(world, legal_name="Tess Example"))
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("participant_detail", args=[world.tess.pk]) in page
    assert "confirm she is a different person" in page
    assert 'value="Tess Example"' in page
    assert Participant.objects.count() == before


def test_a_likely_duplicate_out_of_reach_is_never_mentioned(client, world) -> None:
    # Telling her would tell her the woman is in the program: her program manager is
    # told instead (test_duplicate_check_is_no_oracle), and she registers as for anyone.
    signed_in(client, world.alice)
    response = client.post(
        REGISTER, form_data(world, preferred_name="Uma", legal_name="Uma Example")
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "cannot open" not in page
    assert world.uma.code not in page
    assert str(world.uma.pk) not in page


def test_she_can_confirm_a_different_person_and_go_on(client, world: World) -> None:
    signed_in(client, world.alice)
    data = form_data(world, legal_name="Tess Example", different_person="on")
    response = client.post(REGISTER, data)
    assert response.status_code == 302
    assert Participant.objects.with_name("Tess Example").count() == 2


def test_the_duplicate_check_while_typing_answers_a_fragment(client, world: World) -> None:
    signed_in(client, world.alice)
    response = client.post(
        DUPLICATES,
        {"preferred_name": "Rosa", "legal_name": "Rosa Example"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert page.startswith('<div id="duplicate-warning"')
    assert world.rosa.code in page
    entry = AuditEntry.objects.filter(action=Action.SEARCH).get()
    assert entry.detail["purpose"] == "duplicate_check"
    assert "rosa" not in entry.canonical().decode().lower()
    assert not client.post(DUPLICATES, {"preferred_name": "Zelda"}).content.decode().count("li>")


@pytest.mark.parametrize("who", ["pat", "ada"])
def test_roles_that_do_not_register_are_refused(client, world: World, who: str) -> None:
    signed_in(client, getattr(world, who))
    before = Participant.objects.count()
    assert client.get(REGISTER).status_code == 403
    assert client.post(REGISTER, form_data(world)).status_code == 403
    assert client.post(DUPLICATES, {"preferred_name": "Rosa"}).status_code == 403
    assert Participant.objects.count() == before


def test_an_evaluator_gets_404(client, world: World) -> None:
    signed_in(client, world.eve)
    before = Participant.objects.count()
    assert client.get(REGISTER).status_code == 404
    assert client.post(REGISTER, form_data(world)).status_code == 404
    assert Participant.objects.count() == before


def test_a_cycle_of_another_agency_cannot_be_chosen(client, world: World) -> None:
    signed_in(client, world.alice)
    other_cycle = world.other_program.cycles.get()
    before = Participant.objects.count()
    response = client.post(REGISTER, form_data(world, cycle=str(other_cycle.pk)))
    assert "Select a valid choice" in response.content.decode()
    assert Participant.objects.count() == before


def test_anonymous_is_sent_to_sign_in(client, world: World) -> None:
    response = client.post(REGISTER, form_data(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Participant.objects.with_name("Nadia").exists()


def test_a_cycle_that_has_ended_takes_no_new_intakes(client, world: World) -> None:
    CycleFactory(
        program=world.program,
        name="Cycle 2018",
        starts_on=datetime.date(2018, 4, 1),
        ends_on=datetime.date(2019, 3, 31),
    )
    signed_in(client, world.alice)
    page = client.get(REGISTER).content.decode()
    assert "Cycle 1" in page
    assert "Cycle 2018" not in page

"""The participant list and search: what each person sees, what the log keeps."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.testing.factories import ConsentFactory, EnrolmentFactory, ParticipantFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

LIST = reverse("participant_list")


def codes_on(response) -> set[str]:
    return set(re.findall(r'class="font-monospace">([A-Z0-9-]+)</a>', response.content.decode()))


def test_a_case_manager_sees_her_own_and_her_teams_caseload(client, world: World) -> None:
    signed_in(client, world.alice)
    response = client.get(LIST)
    assert response.status_code == 200
    assert codes_on(response) == {world.rosa.code, world.tess.code}
    assert world.uma.code not in response.content.decode()
    assert world.vera.code not in response.content.decode()


def test_each_row_shows_program_phase_and_case_manager(client, world: World) -> None:
    signed_in(client, world.alice)
    page = client.get(LIST).content.decode()
    assert "Rosa" in page
    assert "Exit Doors Here" in page
    assert world.rosa_enrolment.current_phase.name in page
    assert str(world.alice) in page


def test_a_peer_mentor_sees_only_her_mentees(client, world: World) -> None:
    signed_in(client, world.pat)
    assert codes_on(client.get(LIST)) == {world.rosa.code}


def test_a_program_manager_sees_her_program_and_not_another_agencys(client, world) -> None:
    signed_in(client, world.morgan)
    assert codes_on(client.get(LIST)) == {world.rosa.code, world.tess.code, world.uma.code}
    client.logout()
    signed_in(client, world.olive)
    assert codes_on(client.get(LIST)) == {world.vera.code}


def test_an_evaluator_gets_404_and_the_refusal_is_audited(client, world: World) -> None:
    signed_in(client, world.eve)
    assert client.get(LIST).status_code == 404
    assert client.post(LIST, {"q": "Rosa"}).status_code == 404
    refused = AuditEntry.objects.filter(action=Action.REFUSED, actor_id=str(world.eve.pk))
    assert refused.count() == 2


def test_anonymous_is_sent_to_sign_in(client, world: World) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_searching_by_her_whole_name_finds_her(client, world: World) -> None:
    signed_in(client, world.alice)
    assert codes_on(client.post(LIST, {"q": "rosa"})) == {world.rosa.code}
    assert codes_on(client.post(LIST, {"q": "Rosa Example"})) == {world.rosa.code}


def test_the_middle_of_a_name_finds_nobody(client, world: World) -> None:
    # A name is found from its beginning ("Ros"; doorway/participants/tests).
    signed_in(client, world.alice)
    response = client.post(LIST, {"q": "osa"})
    assert codes_on(response) == set()
    assert "No participant you can reach" in response.content.decode()


def test_searching_by_code_or_its_beginning_finds_her(client, world: World) -> None:
    signed_in(client, world.alice)
    assert codes_on(client.post(LIST, {"q": world.tess.code.lower()})) == {world.tess.code}
    prefix = world.tess.code[:-1]
    assert world.tess.code in codes_on(client.post(LIST, {"q": prefix}))


def test_a_search_never_finds_someone_out_of_reach(client, world: World) -> None:
    signed_in(client, world.alice)
    assert codes_on(client.post(LIST, {"q": "Uma"})) == set()
    assert codes_on(client.post(LIST, {"q": world.uma.code})) == set()


def test_the_list_is_audited_with_what_was_shown(client, world: World) -> None:
    signed_in(client, world.alice)
    client.get(LIST)
    entry = AuditEntry.objects.filter(action=Action.LIST).get()
    assert entry.actor_id == str(world.alice.pk)
    assert set(entry.detail["shown"]) == {str(world.rosa.pk), str(world.tess.pk)}


def test_a_search_is_audited_without_what_was_typed(client, world: World) -> None:
    signed_in(client, world.alice)
    client.post(LIST, {"q": "Rosa Example"})
    entry = AuditEntry.objects.filter(action=Action.SEARCH).get()
    assert entry.detail["results"] == 1
    logged = entry.canonical().decode().lower()
    assert "rosa" not in logged
    assert "example" not in logged


def test_a_search_term_never_travels_in_a_url(client, world: World) -> None:
    signed_in(client, world.alice)
    page = client.get(LIST).content.decode()
    assert re.search(r'<form method="post" action="/participants/" role="search"', page)
    # Rows link by opaque id only.
    links = re.findall(
        r'href="(/participants/[^"]*)"', client.post(LIST, {"q": "Rosa"}).content.decode()
    )
    assert links
    assert all(re.fullmatch(r"/participants/([0-9a-f-]{36}/|new/)?", link) for link in links)


def test_htmx_search_answers_with_the_results_only(client, world: World) -> None:
    signed_in(client, world.alice)
    response = client.post(LIST, {"q": "Tess"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="participant-results"')
    assert "<html" not in page
    assert world.tess.code in page


def test_the_list_is_paginated(client, world: World) -> None:
    for n in range(30):
        person = ParticipantFactory(
            preferred_name=f"Extra{n}", agency=world.agency, registered_by=world.alice
        )
        EnrolmentFactory(
            participant=person, cycle=world.rosa_enrolment.cycle, case_manager=world.alice
        )
    signed_in(client, world.alice)
    first = client.get(LIST)
    assert len(codes_on(first)) == 25
    assert "Page 1 of 2" in first.content.decode()
    assert len(codes_on(client.get(LIST + "?page=2"))) == 7


def make_caseload(world: World, count: int) -> None:
    for n in range(count):
        person = ParticipantFactory(
            preferred_name=f"Extra{n}", agency=world.agency, registered_by=world.alice
        )
        ConsentFactory(participant=person, recorded_by=world.alice)
        EnrolmentFactory(
            participant=person,
            cycle=world.rosa_enrolment.cycle,
            case_manager=world.amira,
            peer_mentor=world.pat,
        )


def queries_for_list(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_takes_as_many_queries_for_5_rows_as_for_25(
    client, world: World, django_assert_max_num_queries
) -> None:
    signed_in(client, world.alice)
    client.get(LIST)  # the first request of a session also records the session
    make_caseload(world, 3)  # 5 rows with Rosa and Tess
    few = queries_for_list(client)
    make_caseload(world, 28)  # 33 participants: a full page of 25
    many = queries_for_list(client)
    assert few == many
    with django_assert_max_num_queries(20):
        client.get(LIST)


def test_a_peer_mentor_cannot_confirm_a_legal_name_by_searching(client, world: World) -> None:
    # Pat mentors Rosa, whose legal name is "Rosa Example"; Pat may know her only as Rosa.
    world.rosa.legal_name = "Rosalind Quintero"
    world.rosa.save()
    world.rosa.refresh_name_index()
    signed_in(client, world.pat)
    for legal in ["Rosalind Quintero", "Quintero", "Rosalind"]:
        page = client.post(reverse("participant_list"), {"q": legal}).content.decode()
        assert world.rosa.code not in page, legal
    page = client.post(reverse("participant_list"), {"q": "Rosa"}).content.decode()
    assert world.rosa.code in page
    # Her case manager still finds her by legal name.
    signed_in(client, world.alice)
    page = client.post(reverse("participant_list"), {"q": "Quintero"}).content.decode()
    assert world.rosa.code in page

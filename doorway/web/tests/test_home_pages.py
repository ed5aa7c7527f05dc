from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doorway.audit.log import record
from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.testing.factories import ConsentFactory, EnrolmentFactory, ParticipantFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def home(client, user) -> str:
    signed_in(client, user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def add_enrolments(world: World, n: int, **kw) -> None:
    cycle = world.rosa_enrolment.cycle
    for _ in range(n):
        person = ParticipantFactory(agency=world.agency, registered_by=world.alice)
        ConsentFactory(participant=person, recorded_by=world.alice, kind="evaluation")
        EnrolmentFactory(participant=person, cycle=cycle, **kw)


def queries_for(client, path: str = "/") -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


def test_an_anonymous_visitor_is_sent_to_sign_in(client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_case_manager_sees_her_own_open_caseload_only(client, world: World) -> None:
    page = home(client, world.alice)
    assert world.rosa.code in page
    assert "Rosa" in page
    assert "Making the connection" in page
    # Tess is her teammate's, Uma another team's, Vera another agency's.
    for other in (world.tess, world.uma, world.vera):
        assert other.code not in page
    assert "Rosa Example" not in page


def test_a_case_managers_home_is_an_audited_read(client, world: World) -> None:
    home(client, world.alice)
    entry = AuditEntry.objects.filter(action=Action.LIST, actor_username="alice").first()
    assert entry is not None
    assert entry.detail == {"page": "home", "count": 1}


def test_a_case_manager_does_not_see_an_exited_enrolment(client, world: World) -> None:
    world.rosa_enrolment.exit("withdrew", by=world.alice, reason="She moved away.")
    assert world.rosa.code not in home(client, world.alice)


def test_a_peer_mentor_sees_code_and_preferred_name_only(client, world: World) -> None:
    page = home(client, world.pat)
    assert world.rosa.code in page
    assert "Rosa" in page
    assert "Rosa Example" not in page
    assert "Making the connection" not in page
    assert world.tess.code not in page


def test_a_program_manager_sees_counts_caseloads_and_cycles_but_no_names(
    client, world: World
) -> None:
    page = home(client, world.morgan)
    assert "Exit Doors Here" in page
    assert "Cycle 1" in page
    assert f"/programs/{world.program.pk}/" in page
    assert world.alice.first_name in page  # staff names and caseload sizes are fine
    for person in (world.rosa, world.tess, world.uma, world.vera):
        assert person.code not in page
        assert person.preferred_name not in page
    assert "Other Program" not in page


def test_a_program_manager_sees_a_caseload_over_the_limit(client, world: World) -> None:
    world.program.caseload_limit = 2
    world.program.save()
    add_enrolments(world, 2, case_manager=world.alice)
    assert "over the limit" in home(client, world.morgan)


def test_an_evaluator_sees_counts_of_consenting_women_only(client, world: World) -> None:
    add_enrolments(world, 2, case_manager=world.bianca)
    page = home(client, world.eve)
    # Five are enrolled; only the two who consent to the evaluation are counted.
    assert "2 participants in the evaluation" in page
    assert "5 participant" not in page
    assert "3 participant" not in page
    for person in (world.rosa, world.tess, world.uma, world.vera):
        assert person.code not in page
        assert person.preferred_name not in page


def test_an_administrator_sees_accounts_audit_and_break_the_glass(client, world: World) -> None:
    record(Action.VIEW, detail={"n": 1})
    page = home(client, world.ada)
    assert "/admin/people/user/" in page
    assert "/audit/" in page
    assert "/audit/break-glass/" in page
    assert "Verify the chain now" in page
    assert world.rosa.code not in page


@pytest.mark.parametrize("username", ["alice", "pat", "morgan", "eve", "ada"])
def test_the_home_page_costs_the_same_queries_with_more_records(
    client, world: World, username: str, django_assert_max_num_queries
) -> None:
    user = world.staff()[username]
    signed_in(client, user)
    client.get("/")  # warm up: first-request queries (sessions, content types)
    before = queries_for(client)
    add_enrolments(world, 10, case_manager=world.alice, peer_mentor=world.pat)
    for n in range(20):
        record(Action.VIEW, detail={"n": n})
    assert queries_for(client) == before
    with django_assert_max_num_queries(20):
        client.get("/")


MENU = {
    "alice": {"Participants", "Caseload", "Drop-ins", "Outreach", "Supervision"},
    "pat": {"Participants", "Drop-ins", "Outreach"},
    "morgan": {
        "Participants",
        "Caseload",
        "Drop-ins",
        "Outreach",
        "Supervision",
        "Program setup",
        "Instruments",
        "Evaluation",
    },
    "eve": {"Evaluation"},
    "ada": {"Instruments", "Audit log", "Break the glass", "Staff and settings"},
}
EVERY_ENTRY = set().union(*MENU.values())


@pytest.mark.parametrize("who", sorted(MENU))
def test_the_menu_offers_each_role_its_own_pages_only(client, world: World, who: str) -> None:
    page = home(client, world.staff()[who])
    menu = page[page.index('<ul class="navbar-nav') :]
    menu = menu[: menu.index("</ul>")]
    shown = {entry for entry in EVERY_ENTRY if f">{entry}</a>" in menu}
    assert shown == MENU[who]

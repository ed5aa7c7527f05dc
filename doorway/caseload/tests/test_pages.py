"""The caseload page and the program manager's overview, by role, against the dates."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from doorway.audit.models import AuditEntry
from doorway.caseload import refresh
from doorway.caseload.queries import LATER, OVERDUE, URGENT
from doorway.casework.actions import record_contact
from doorway.conftest import World
from doorway.enrolments.models import ExitReason
from doorway.testing.signin import signed_in

from .helpers import D0, enrol, noon, phases

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_caseload_rules")]

DAY = datetime.timedelta(days=1)
TODAY = D0 + 30 * DAY


@pytest.fixture
def today():
    with time_machine.travel(noon(TODAY), tick=False):
        yield TODAY


def codes(response) -> list[str]:
    return [row.participant.code for row in response.context["rows"]]


def test_her_caseload_is_ranked_by_what_needs_doing(client, world: World, today) -> None:
    p = phases(world)
    # Weekly contact, last seen 16 days ago: overdue 9 days.
    nine = enrol(world, phase=p[1], started_on=today - 16 * DAY)
    # Fortnightly, started 17 days ago: overdue 3 days.
    three = enrol(world, phase=p[2], started_on=today - 17 * DAY)
    # Monthly, started 25 days ago: due in 5 days, this week.
    soon = enrol(world, phase=p[3], started_on=today - 25 * DAY)
    # Monthly, seen yesterday: nothing due this week.
    fine = enrol(world, phase=p[3], started_on=today - 20 * DAY)
    record_contact(
        fine,
        by=world.alice,
        happened_on=today - DAY,
        duration_minutes=30,
        kind="counselling",
        note="Met",
    )
    # Graduated 40 days ago: follow-up overdue.
    graduate = enrol(
        world,
        phase=p[3],
        started_on=today - 200 * DAY,
        exit_reason=ExitReason.GRADUATED,
        exited_on=today - 40 * DAY,
    )
    # Amira's: not on Alice's own caseload.
    teammates = enrol(world, phase=p[1], started_on=today - 30 * DAY, case_manager=world.amira)
    refresh.refresh_everyone()

    signed_in(client, world.alice)
    response = client.get(reverse("caseload"))
    assert response.status_code == 200
    got = codes(response)
    assert teammates.participant.code not in got
    # Overdue (most overdue first), due this week, then the rest (Rosa, and "fine").
    rows = {r.participant.code: r for r in response.context["rows"]}
    assert rows[nine.participant.code].badges[0].text == "Contact overdue 9 days"
    assert rows[three.participant.code].badges[0].text == "Contact overdue 3 days"
    assert rows[soon.participant.code].badges[0].text == "Contact due in 5 days"
    assert rows[graduate.participant.code].badges[0].text.startswith("Follow-up overdue")
    # The missed contacts first, then the rest of what is overdue.
    assert rows[nine.participant.code].group == URGENT
    assert rows[graduate.participant.code].group == OVERDUE
    overdue_codes = [c for c in got if rows[c].group == URGENT]
    assert overdue_codes == sorted(overdue_codes, key=lambda c: -rows[c].most_overdue)
    assert got.index(three.participant.code) < got.index(soon.participant.code)
    assert got.index(soon.participant.code) < got.index(fine.participant.code)
    assert rows[fine.participant.code].group == LATER
    body = response.content.decode()
    assert "Contact overdue 9 days" in body
    assert reverse("enrolment_detail", args=[nine.pk]) in body
    assert "Rosa" in body


def test_the_team_toggle_shows_her_teammates_caseloads_only(client, world: World, today) -> None:
    enrol(world, phase=phases(world)[1], started_on=today, case_manager=world.amira)
    refresh.refresh_everyone()
    signed_in(client, world.alice)
    team = client.get(reverse("caseload"), {"scope": "team"})
    names = {row.participant.preferred_name for row in team.context["rows"]}
    assert {"Rosa", "Tess"} <= names
    assert "Uma" not in names  # Bianca's, on the South team
    mine = client.get(reverse("caseload"))
    assert {row.participant.preferred_name for row in mine.context["rows"]} == {"Rosa"}


def test_the_caseload_audits_whose_names_it_showed(client, world: World, today) -> None:
    signed_in(client, world.alice)
    client.get(reverse("caseload"), {"scope": "team"})
    entry = AuditEntry.objects.filter(action="list", actor_username="alice").latest("pk")
    assert set(entry.detail["shown"]) == {str(world.rosa.pk), str(world.tess.pk)}


def test_a_case_manager_may_open_a_teammates_caseload_but_not_another_teams(
    client, world: World
) -> None:
    signed_in(client, world.alice)
    ok = client.get(reverse("caseload"), {"worker": str(world.amira.pk)})
    assert ok.status_code == 200
    assert [r.participant.preferred_name for r in ok.context["rows"]] == ["Tess"]
    before = AuditEntry.objects.filter(action="refused").count()
    refused = client.get(reverse("caseload"), {"worker": str(world.bianca.pk)})
    assert refused.status_code == 404
    assert AuditEntry.objects.filter(action="refused").count() == before + 1
    assert client.get(reverse("caseload"), {"worker": "Rosa Example"}).status_code == 404
    typed = AuditEntry.objects.filter(action="refused").latest("pk")
    assert "Rosa" not in str(typed.detail)


def test_a_peer_mentor_is_refused_and_an_evaluator_finds_nothing(client, world: World) -> None:
    signed_in(client, world.pat)
    assert client.get(reverse("caseload")).status_code == 403
    signed_in(client, world.eve)
    assert client.get(reverse("caseload")).status_code == 404
    assert client.get(reverse("caseload_overview")).status_code == 404


def test_the_program_manager_sees_caseloads_and_overdue_work_per_worker(
    client, world: World, today
) -> None:
    p = phases(world)
    enrol(world, phase=p[1], started_on=today - 10 * DAY)  # Alice: contact overdue
    enrol(world, phase=p[1], started_on=today - 100 * DAY)  # Alice: contact + overstay
    world.program.caseload_limit = 2
    world.program.save()
    refresh.refresh_everyone()
    signed_in(client, world.morgan)
    response = client.get(reverse("caseload_overview"))
    assert response.status_code == 200
    [summary] = response.context["programs"]
    workers = {w["name"]: w for w in summary["workers"]}
    alice = workers[f"{world.alice.first_name} {world.alice.last_name}"]
    assert alice["count"] == 3
    assert alice["over"] is True
    assert dict(alice["overdue"]) == {
        "overdue for contact": 2,
        "longer than expected in their phase": 1,
    }
    assert "2</span> overdue for contact" in response.content.decode()
    bianca = workers[f"{world.bianca.first_name} {world.bianca.last_name}"]
    assert (bianca["count"], bianca["overdue"]) == (1, [])
    body = response.content.decode()
    assert f"?worker={world.alice.pk}" in body
    # Her link opens Alice's caseload.
    alices = client.get(reverse("caseload"), {"worker": str(world.alice.pk)})
    assert len(alices.context["rows"]) == 3
    # Nobody from the other agency's program.
    assert f"?worker={world.oscar.pk}" not in body


def test_the_home_pages_link_the_caseload(client, world: World) -> None:
    signed_in(client, world.alice)
    assert reverse("caseload") in client.get(reverse("home")).content.decode()
    signed_in(client, world.morgan)
    assert reverse("caseload_overview") in client.get(reverse("home")).content.decode()


def grow(world: World, n: int, today: datetime.date) -> None:
    p = phases(world)
    for i in range(n):
        worker = (world.alice, world.amira, world.bianca)[i % 3]
        enrol(world, phase=p[1 + i % 3], started_on=today - (5 + i) * DAY, case_manager=worker)
    refresh.refresh_everyone()


@pytest.mark.parametrize(
    ("who", "url", "params"),
    [
        ("alice", "caseload", {}),
        ("alice", "caseload", {"scope": "team"}),
        ("morgan", "caseload", {}),
        ("morgan", "caseload_overview", {}),
    ],
)
def test_the_pages_run_a_fixed_number_of_queries(
    client, world: World, today, django_assert_max_num_queries, who, url, params
) -> None:
    signed_in(client, world.staff()[who])
    grow(world, 2, today)
    client.get(reverse(url), params)  # warm the session
    with django_assert_max_num_queries(20) as few:
        client.get(reverse(url), params)
    grow(world, 20, today)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(reverse(url), params)
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    if url == "caseload":
        assert len(response.context["rows"]) >= 8

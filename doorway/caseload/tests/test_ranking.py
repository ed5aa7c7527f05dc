"""The caseload ranked by what matters today: the active woman's missed contact before
the paperwork of women long gone, which goes to the program manager's list; filters by
kind of work and phase; phases numbered."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from doorway.caseload import refresh
from doorway.caseload.queries import OVERDUE, SNOOZED, URGENT
from doorway.casework.actions import record_contact
from doorway.conftest import World
from doorway.enrolments.models import ExitReason
from doorway.people.actions import add_safety_flag
from doorway.testing.signin import signed_in

from .helpers import D0, enrol, noon, phases

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
TODAY = D0 + 30 * DAY


@pytest.fixture
def today():
    with time_machine.travel(noon(TODAY), tick=False):
        yield TODAY


def graduate(world: World, *, days_ago: int):
    p = phases(world)
    return enrol(
        world,
        phase=p[3],
        started_on=TODAY - (days_ago + 200) * DAY,
        exit_reason=ExitReason.GRADUATED,
        exited_on=TODAY - days_ago * DAY,
    )


def test_an_active_womans_missed_contact_comes_before_old_closing_notes(
    client, world: World, today
) -> None:
    p = phases(world)
    # Weekly contact, last seen 12 days ago: five days overdue.
    missed = enrol(world, phase=p[1], started_on=today - 12 * DAY)
    # Years gone, never a closing note: the refresh of her record still computes one,
    # more overdue than anything else on the page.
    long_gone = [graduate(world, days_ago=days) for days in (400, 900, 2000)]
    recent = graduate(world, days_ago=20)
    refresh.refresh([missed.pk, recent.pk, *(e.pk for e in long_gone)])

    signed_in(client, world.alice)
    response = client.get(reverse("caseload"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows[0].enrolment == missed
    assert rows[0].group == URGENT
    assert "Contact overdue 5 days" in [b.text for b in rows[0].badges]
    shown = {r.enrolment.pk for r in rows}
    assert not shown & {e.pk for e in long_gone}
    # Her recent graduate's closing note is still hers to write.
    assert recent.pk in shown
    body = response.content.decode()
    assert body.index(missed.participant.code) < body.index(recent.participant.code)
    assert "Missed contacts and safety" in body

    # The program manager's list holds the old ones, oldest first, and not the recent.
    signed_in(client, world.morgan)
    overview = client.get(reverse("caseload_overview"))
    assert overview.context["old_closing_notes"] == 3
    assert reverse("old_closing_notes") in overview.content.decode()
    old = client.get(reverse("old_closing_notes"))
    assert old.status_code == 200
    assert [e.pk for e in old.context["enrolments"]] == [e.pk for e in reversed(long_gone)]
    assert reverse("closing_note", args=[long_gone[0].pk]) in old.content.decode()
    # Not the workers' list to clear.
    signed_in(client, world.alice)
    assert client.get(reverse("old_closing_notes")).status_code == 403


def test_anything_overdue_is_urgent_while_a_safety_flag_is_on_her_record(
    client, world: World, today
) -> None:
    p = phases(world)
    # In phase 1 for 100 days of an expected 90: overstayed, with no contact missed.
    flagged = enrol(world, phase=p[1], started_on=today - 100 * DAY)
    plain = enrol(world, phase=p[1], started_on=today - 100 * DAY)
    for enrolment in (flagged, plain):
        # A contact yesterday: nothing missed.
        record_contact(
            enrolment,
            by=world.alice,
            happened_on=today - DAY,
            duration_minutes=20,
            kind="counselling",
            note="Met",
        )
    add_safety_flag(flagged.participant, kind="someone_looking", note="", by=world.alice)
    refresh.refresh([flagged.pk, plain.pk])
    signed_in(client, world.alice)
    rows = {r.enrolment.pk: r for r in client.get(reverse("caseload")).context["rows"]}
    assert rows[flagged.pk].group == URGENT
    assert rows[plain.pk].group == OVERDUE


def test_the_caseload_filters_by_kind_and_phase(client, world: World, today) -> None:
    p = phases(world)
    contact = enrol(world, phase=p[1], started_on=today - 12 * DAY)
    later_phase = enrol(world, phase=p[3], started_on=today - 2 * DAY)
    recent = graduate(world, days_ago=20)
    refresh.refresh([contact.pk, later_phase.pk, recent.pk])
    signed_in(client, world.alice)

    by_kind = client.get(reverse("caseload"), {"kind": "closing_note"})
    assert by_kind.status_code == 200
    assert [r.enrolment.pk for r in by_kind.context["rows"]] == [recent.pk]

    by_phase = client.get(reverse("caseload"), {"phase": str(p[3].pk)})
    assert by_phase.status_code == 200
    shown = {r.enrolment.pk for r in by_phase.context["rows"]}
    assert later_phase.pk in shown
    assert contact.pk not in shown
    # Numbered as CTI speaks: the pre-phase is 0, then phases 1 to 3.
    assert f"Phase 3 — {p[3].name}" in by_phase.content.decode()
    assert f"Phase 1 — {p[1].name}" in client.get(reverse("caseload")).content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "closing_notes_of_2019"},
        {"phase": "not-a-phase"},
        {"phase": "00000000-0000-0000-0000-000000000000"},
    ],
)
def test_an_unknown_filter_is_refused_with_a_message(
    client, world: World, today, params: dict[str, str]
) -> None:
    missed = enrol(world, phase=phases(world)[1], started_on=today - 12 * DAY)
    refresh.refresh([missed.pk])
    signed_in(client, world.alice)
    response = client.get(reverse("caseload"), params)
    assert response.status_code == 400
    assert "is not one of the choices" in response.content.decode()
    # The whole caseload instead.
    assert missed.pk in {r.enrolment.pk for r in response.context["rows"]}


@pytest.mark.usefixtures("only_caseload_rules")
def test_a_snoozed_item_drops_to_the_snoozed_group(client, world: World, today) -> None:
    missed = enrol(world, phase=phases(world)[1], started_on=today - 12 * DAY)
    refresh.refresh([missed.pk])
    signed_in(client, world.amira)  # Alice's teammate
    response = client.post(
        reverse("caseload_snooze", args=[missed.pk]),
        {
            "kind": "contact",
            "until": (today + 5 * DAY).isoformat(),
            "reason": "In hospital until Friday; her sister calls us",
        },
    )
    assert response.status_code == 302
    signed_in(client, world.alice)
    page = client.get(reverse("caseload"))
    [row] = [r for r in page.context["rows"] if r.enrolment.pk == missed.pk]
    assert row.group == SNOOZED
    body = page.content.decode()
    assert "Snoozed until" in body
    assert "In hospital until Friday; her sister calls us" in body
    # The day after the snooze ends, the missed contact is back on top.
    with time_machine.travel(noon(today + 6 * DAY), tick=False):
        signed_in(client, world.alice)
        again = client.get(reverse("caseload"))
    [row] = [r for r in again.context["rows"] if r.enrolment.pk == missed.pk]
    assert row.group == URGENT

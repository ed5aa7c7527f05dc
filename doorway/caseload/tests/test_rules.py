"""The CTI rhythm with the clock moved: each due item appears exactly on the day it
should, and goes when the work is done."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from doorway.caseload import due
from doorway.caseload.due import one_month_after
from doorway.caseload.models import DueItem
from doorway.caseload.tasks import refresh_all_due
from doorway.casework.actions import record_contact
from doorway.casework.models import ContactKind
from doorway.conftest import World
from doorway.enrolments.due import DueKind
from doorway.enrolments.models import ExitReason

from .helpers import D0, enrol, noon, phases

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_caseload_rules")]

DAY = datetime.timedelta(days=1)


def overdue_kinds(enrolment, on: datetime.date) -> set[str]:
    """Run the daily task on that day, then read what is overdue for her."""
    with time_machine.travel(noon(on), tick=False):
        refresh_all_due.enqueue()
        return set(
            DueItem.objects.overdue().filter(enrolment=enrolment).values_list("kind", flat=True)
        )


def contact(enrolment, by, on: datetime.date, kind=ContactKind.INDIVIDUAL_COUNSELLING):
    with time_machine.travel(noon(on), tick=False):
        return record_contact(
            enrolment, by=by, happened_on=on, duration_minutes=30, kind=kind, note="Met"
        )


@pytest.mark.parametrize(("order", "days"), [(1, 7), (2, 14), (3, 30)])
def test_contact_is_overdue_exactly_the_day_after_her_cadence_runs_out(
    world: World, order: int, days: int
) -> None:
    enrolment = enrol(world, phase=phases(world)[order], started_on=D0)
    due_on = D0 + datetime.timedelta(days=days)
    assert DueKind.CONTACT not in overdue_kinds(enrolment, due_on - DAY)
    assert DueKind.CONTACT not in overdue_kinds(enrolment, due_on)
    assert DueKind.CONTACT in overdue_kinds(enrolment, due_on + DAY)
    # A contact with her care team that day: no longer overdue, due again a cadence later.
    contact(enrolment, world.alice, due_on + DAY)
    assert DueKind.CONTACT not in overdue_kinds(enrolment, due_on + DAY)
    item = DueItem.objects.get(enrolment=enrolment, kind=DueKind.CONTACT)
    assert item.due_on == due_on + DAY + datetime.timedelta(days=days)
    assert DueKind.CONTACT in overdue_kinds(enrolment, item.due_on + DAY)


def test_the_pre_phase_has_no_contact_cadence(world: World) -> None:
    enrolment = enrol(world, phase=phases(world)[0], started_on=D0)
    assert overdue_kinds(enrolment, D0 + datetime.timedelta(days=200)) == set()
    assert not DueItem.objects.filter(enrolment=enrolment, kind=DueKind.CONTACT).exists()


def test_a_peer_contact_does_not_count_as_the_care_teams_contact(world: World) -> None:
    enrolment = enrol(world, phase=phases(world)[1], started_on=D0, peer_mentor=world.pat)
    contact(enrolment, world.pat, D0 + 3 * DAY, kind=ContactKind.PEER_CONTACT)
    assert DueKind.CONTACT in overdue_kinds(enrolment, D0 + 8 * DAY)


def test_a_contact_before_the_phase_began_does_not_reset_the_clock(world: World) -> None:
    enrolment = enrol(world, phase=phases(world)[1], started_on=D0)
    contact(enrolment, world.alice, D0 - 2 * DAY)
    item_due = {i.kind: i.due_on for i in _refreshed(enrolment, D0)}
    assert item_due[DueKind.CONTACT] == D0 + 7 * DAY


def _refreshed(enrolment, on):
    with time_machine.travel(noon(on), tick=False):
        refresh_all_due.enqueue()
    return list(DueItem.objects.filter(enrolment=enrolment))


@pytest.mark.parametrize("order", [1, 2, 3])
def test_phase_overstayed_appears_the_day_after_its_expected_length(
    world: World, order: int
) -> None:
    phase = phases(world)[order]
    assert phase.expected_days == 90
    enrolment = enrol(world, phase=phase, started_on=D0)
    last_expected = D0 + datetime.timedelta(days=phase.expected_days)
    assert DueKind.PHASE_OVERSTAYED not in overdue_kinds(enrolment, last_expected)
    assert DueKind.PHASE_OVERSTAYED in overdue_kinds(enrolment, last_expected + DAY)


def test_no_overstay_in_an_open_ended_phase(world: World) -> None:
    enrolment = enrol(world, phase=phases(world)[0], started_on=D0)
    assert DueKind.PHASE_OVERSTAYED not in overdue_kinds(enrolment, D0 + 1000 * DAY)


def graduate(world: World, on: datetime.date):
    return enrol(
        world,
        phase=phases(world)[3],
        started_on=on - 90 * DAY,
        exit_reason=ExitReason.GRADUATED,
        exited_on=on,
    )


def test_follow_up_falls_due_one_calendar_month_after_graduation(world: World) -> None:
    graduated_on = datetime.date(2025, 1, 31)
    enrolment = graduate(world, graduated_on)
    due_on = datetime.date(2025, 2, 28)
    items = _refreshed(enrolment, due_on - DAY)
    # Nothing else is due for a graduate: no contact, no overstay.
    assert [(i.kind, i.due_on) for i in items] == [(DueKind.FOLLOW_UP, due_on)]
    assert items[0].badge(due_on - DAY) == "Follow-up due tomorrow"
    assert items[0].badge(due_on) == "Follow-up due"
    assert DueKind.FOLLOW_UP not in overdue_kinds(enrolment, due_on)
    assert DueKind.FOLLOW_UP in overdue_kinds(enrolment, due_on + DAY)


def test_follow_up_goes_once_it_is_done(world: World, monkeypatch) -> None:
    enrolment = graduate(world, D0)
    later = one_month_after(D0) + 3 * DAY
    assert DueKind.FOLLOW_UP in overdue_kinds(enrolment, later)
    # The instruments part answers which enrolments have a completed follow-up.
    monkeypatch.setattr(due, "follow_ups_done", lambda ids: {enrolment.pk})
    assert overdue_kinds(enrolment, later) == set()
    assert not DueItem.objects.filter(enrolment=enrolment).exists()


def test_a_follow_up_missed_long_ago_is_no_longer_asked_for(world: World) -> None:
    enrolment = graduate(world, D0)
    far = one_month_after(D0) + datetime.timedelta(days=due.FOLLOW_UP_WINDOW_DAYS + 5)
    assert overdue_kinds(enrolment, far) == set()


def test_a_woman_who_withdrew_has_nothing_due(world: World) -> None:
    enrolment = enrol(
        world,
        phase=phases(world)[1],
        started_on=D0,
        exit_reason=ExitReason.WITHDREW,
        exited_on=D0 + DAY,
    )
    assert overdue_kinds(enrolment, D0 + 200 * DAY) == set()


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2025, 1, 15), datetime.date(2025, 2, 15)),
        (datetime.date(2025, 1, 31), datetime.date(2025, 2, 28)),
        (datetime.date(2024, 1, 31), datetime.date(2024, 2, 29)),
        (datetime.date(2025, 12, 31), datetime.date(2026, 1, 31)),
    ],
)
def test_one_month_after(day: datetime.date, expected: datetime.date) -> None:
    assert one_month_after(day) == expected


def test_recording_the_follow_up_questionnaire_clears_the_follow_up(
    world: World, django_capture_on_commit_callbacks
) -> None:
    """End to end with the instruments part: its action saves an administration, the
    change commits, the refresh runs, and the follow-up is no longer due."""
    from doorway.instruments import exit_doors_here
    from doorway.instruments.actions import record_administration
    from doorway.instruments.models import Instrument

    exit_doors_here.install(world.program)
    enrolment = graduate(world, D0)
    later = one_month_after(D0) + 2 * DAY
    assert DueKind.FOLLOW_UP in overdue_kinds(enrolment, later)
    version = Instrument.objects.get(slug=exit_doors_here.FOLLOW_UP).current_version()
    assert version is not None
    with (
        time_machine.travel(noon(later), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        record_administration(
            enrolment,
            version,
            by=world.alice,
            timepoint="follow_up",
            completed_on=later,
            answers={
                "sex_work_involvement": "not_at_all",
                "housing": "own_place",
                "connected_to_supports": "no",
            },
        )
    assert not DueItem.objects.filter(enrolment=enrolment, kind=DueKind.FOLLOW_UP).exists()

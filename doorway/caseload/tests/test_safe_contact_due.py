"""Her safe-contact instructions on her case manager's caseload: due her program's
number of days after she last confirmed them, overdue the day after, gone from the
overdue list once she confirms them, and ranked among the overdue work (first, with the
missed contacts, when a safety flag is on her record)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doorway.caseload import refresh
from doorway.caseload.models import DueItem
from doorway.caseload.queries import OVERDUE, URGENT, caseload_rows
from doorway.caseload.safe_contact import safe_contact_check_due
from doorway.caseload.tasks import refresh_all_due
from doorway.conftest import World
from doorway.enrolments.due import DueKind
from doorway.enrolments.models import Enrolment
from doorway.enrolments.safe_contact import confirm_safe_contact, update_identity
from doorway.people.models import FlagKind, SafetyFlag

from .conftest import OWN_RULES
from .helpers import D0, enrol, noon, phases

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cadence_and_safe_contact")]

DAY = datetime.timedelta(days=1)


@pytest.fixture
def cadence_and_safe_contact(monkeypatch):
    """The caseload's cadence rules and this one: the plan review and referral rules of
    the other parts stay out of these tests."""
    monkeypatch.setattr(refresh, "RULES", [*OWN_RULES, safe_contact_check_due])


def item(enrolment: Enrolment, on: datetime.date) -> DueItem:
    with time_machine.travel(noon(on), tick=False):
        refresh_all_due.enqueue()
    return DueItem.objects.get(enrolment=enrolment, kind=DueKind.SAFE_CONTACT)


def confirmed(enrolment: Enrolment, on: datetime.date) -> Enrolment:
    enrolment.participant.safe_contact = "Text only, never call"
    enrolment.participant.safe_contact_confirmed_on = on
    enrolment.participant.save()
    return enrolment


def test_the_check_falls_due_her_programs_number_of_days_after_she_confirmed(
    world: World,
) -> None:
    world.program.safe_contact_check_days = 60
    world.program.save()
    enrolment = confirmed(enrol(world, phase=phases(world)[1], started_on=D0), D0)
    check = item(enrolment, D0)
    assert check.due_on == D0 + 60 * DAY
    assert check.state(D0 + 60 * DAY) == "due"
    assert check.state(D0 + 61 * DAY) == "overdue"
    assert check.label == "Confirm her safe-contact instructions with her"


def test_never_confirmed_counts_from_the_day_she_was_registered(world: World) -> None:
    enrolment = enrol(world, phase=phases(world)[1], started_on=D0)
    person = enrolment.participant
    person.safe_contact = ""
    person.registered_at = noon(D0 - 10 * DAY)
    person.save()
    check = item(enrolment, D0)
    assert check.due_on == D0 - 10 * DAY + 90 * DAY
    # No instructions at all: the item asks for them.
    assert check.label == "Ask her how it is safe to reach her"


def test_confirming_clears_the_overdue_check_once_it_commits(
    world: World, django_capture_on_commit_callbacks
) -> None:
    enrolment = confirmed(enrol(world, phase=phases(world)[1], started_on=D0), D0)
    late = D0 + 100 * DAY
    assert item(enrolment, late).state(late) == "overdue"
    with (
        time_machine.travel(noon(late), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        confirm_safe_contact(enrolment.participant, by=world.alice)
    check = DueItem.objects.get(enrolment=enrolment, kind=DueKind.SAFE_CONTACT)
    assert check.due_on == late + 90 * DAY
    assert check.state(late) == "later"


def test_new_instructions_are_confirmed_instructions(
    world: World, django_capture_on_commit_callbacks
) -> None:
    enrolment = confirmed(enrol(world, phase=phases(world)[1], started_on=D0), D0)
    late = D0 + 100 * DAY
    with (
        time_machine.travel(noon(late), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        update_identity(enrolment.participant, by=world.alice, safe_contact="Call the desk")
    assert DueItem.objects.get(enrolment=enrolment, kind=DueKind.SAFE_CONTACT).due_on == (
        late + 90 * DAY
    )


def test_a_closed_enrolment_asks_for_no_check(world: World) -> None:
    enrolment = confirmed(enrol(world, phase=phases(world)[1], started_on=D0), D0)
    enrolment.exit("withdrew", by=world.alice, reason="She chose to stop", on=D0)
    with time_machine.travel(noon(D0 + 200 * DAY), tick=False):
        refresh_all_due.enqueue()
    assert not DueItem.objects.filter(enrolment=enrolment, kind=DueKind.SAFE_CONTACT).exists()


def test_a_stale_check_is_overdue_work_and_urgent_when_she_is_flagged(world: World) -> None:
    # The pre-phase has no contact cadence: the check is the only thing overdue.
    calm = confirmed(enrol(world, phase=phases(world)[0], started_on=D0), D0)
    flagged = confirmed(enrol(world, phase=phases(world)[0], started_on=D0), D0)
    SafetyFlag.objects.create(
        participant=flagged.participant, kind=FlagKind.OTHER, note="Note", added_by=world.alice
    )
    late = D0 + 95 * DAY
    item(calm, late)
    rows = caseload_rows(Enrolment.objects.filter(pk__in=[calm.pk, flagged.pk]), late)
    groups = {row.enrolment.pk: row.group for row in rows}
    assert groups == {calm.pk: OVERDUE, flagged.pk: URGENT}
    badge = next(b for b in rows[0].badges if b.kind == DueKind.SAFE_CONTACT)
    assert badge.text == "Safe-contact check overdue 5 days"


def test_the_rule_reads_her_records_in_one_query_however_many_she_is(world: World) -> None:
    enrolments = [
        confirmed(enrol(world, phase=phases(world)[1], started_on=D0), D0) for _ in range(6)
    ]
    loaded = list(
        Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).select_related(
            "current_phase", "cycle__program"
        )
    )
    with CaptureQueriesContext(connection) as queries:
        dues = list(safe_contact_check_due(loaded))
    assert len(queries) == 1
    assert len(dues) == 6

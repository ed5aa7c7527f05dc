from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.enrolments.models import (
    Eligibility,
    Enrolment,
    EventKind,
    ExitReason,
    MoveRefused,
)
from doorway.people.actions import withdraw_consent
from doorway.people.models import Consent

pytestmark = pytest.mark.django_db


def phases(world: World) -> list:
    return list(world.program.active_phases())


def keys(enrolment: Enrolment) -> dict[str, str]:
    return {m.key: m.blocked_because for m in enrolment.allowed_moves()}


def test_from_the_pre_phase_she_may_move_on_or_leave_but_not_graduate(world: World) -> None:
    enrolment = world.rosa_enrolment
    pre, one, two, _three = phases(world)
    moves = {m.key: m for m in enrolment.allowed_moves()}
    assert moves[f"phase:{one.pk}"].kind == EventKind.ADVANCED
    assert moves[f"phase:{two.pk}"].kind == EventKind.SKIPPED
    assert f"exit:{ExitReason.GRADUATED}" not in moves
    assert f"exit:{ExitReason.WITHDREW}" in moves
    assert f"phase:{pre.pk}" not in moves  # no moving backwards


def test_a_move_is_recorded_with_who_when_and_why(world: World) -> None:
    enrolment = world.rosa_enrolment
    one = phases(world)[1]
    event = enrolment.move_to(one, by=world.alice, reason="Ready to start")
    enrolment.refresh_from_db()
    assert enrolment.current_phase == one
    assert enrolment.phase_started_on == timezone.localdate()
    assert (event.kind, event.recorded_by, event.reason) == (
        "advanced",
        world.alice,
        "Ready to start",
    )
    assert event.from_phase_name == "Making the connection"
    assert event.to_phase_name == "Intake and assessment"
    assert AuditEntry.objects.filter(participant_id=str(world.rosa.pk), action="change").exists()


def test_skipping_a_phase_needs_a_reason(world: World) -> None:
    enrolment = world.rosa_enrolment
    enrolment.decide_eligibility(Eligibility.ELIGIBLE, by=world.alice, reason="Meets criteria")
    two = phases(world)[2]
    with pytest.raises(MoveRefused, match="reason"):
        enrolment.move_to(two, by=world.alice)
    enrolment.refresh_from_db()
    assert enrolment.current_phase.order == 0
    event = enrolment.move_to(two, by=world.alice, reason="Intake done at the partner shelter")
    assert event.kind == EventKind.SKIPPED


def test_a_phase_that_needs_eligibility_is_refused_until_she_is_found_eligible(
    world: World,
) -> None:
    enrolment = world.rosa_enrolment
    one, two = phases(world)[1:3]
    enrolment.move_to(one, by=world.alice)
    assert "eligible" in keys(enrolment)[f"phase:{two.pk}"]
    with pytest.raises(MoveRefused, match="eligible"):
        enrolment.move_to(two, by=world.alice)
    enrolment.decide_eligibility(Eligibility.ELIGIBLE, by=world.alice, reason="3 risk factors")
    enrolment.move_to(two, by=world.alice)
    assert enrolment.current_phase == two


def test_withdrawing_service_consent_stops_her_entering_the_next_phase(world: World) -> None:
    enrolment = world.rosa_enrolment
    one = phases(world)[1]
    consent = Consent.objects.get(participant=world.rosa, kind="service")
    withdraw_consent(consent, on=timezone.localdate(), by=world.alice, note="Asked to stop")
    with pytest.raises(MoveRefused, match="consent"):
        enrolment.move_to(one, by=world.alice)
    enrolment.refresh_from_db()
    assert enrolment.current_phase.order == 0
    # Leaving the program is still possible.
    enrolment.exit(ExitReason.WITHDREW, by=world.alice, reason="Withdrew consent")
    assert not enrolment.is_open


def test_graduation_is_offered_only_from_the_last_phase(world: World) -> None:
    enrolment = world.rosa_enrolment
    enrolment.decide_eligibility(Eligibility.ELIGIBLE, by=world.alice, reason="ok reasons")
    for phase in phases(world)[1:]:
        assert f"exit:{ExitReason.GRADUATED}" not in keys(enrolment)
        enrolment.move_to(phase, by=world.alice)
    assert f"exit:{ExitReason.GRADUATED}" in keys(enrolment)
    enrolment.exit(ExitReason.GRADUATED, by=world.alice, reason="Transfer of care done")
    assert enrolment.exit_reason == ExitReason.GRADUATED


def test_an_exit_is_final_unless_reopened_with_a_reason(world: World) -> None:
    enrolment = world.rosa_enrolment
    one = phases(world)[1]
    enrolment.exit(ExitReason.LOST_CONTACT, by=world.alice, reason="No reply in 8 weeks")
    assert [m.kind for m in enrolment.allowed_moves()] == [EventKind.REOPENED]
    with pytest.raises(MoveRefused):
        enrolment.move_to(one, by=world.alice)
    with pytest.raises(MoveRefused, match="reason"):
        enrolment.reopen(by=world.alice, reason="  ")
    enrolment.reopen(by=world.alice, reason="She came back to the drop-in")
    assert enrolment.is_open
    assert enrolment.current_phase.order == 0
    enrolment.move_to(one, by=world.alice)


def test_an_exit_needs_a_reason(world: World) -> None:
    with pytest.raises(MoveRefused, match="reason"):
        world.rosa_enrolment.exit(ExitReason.WITHDREW, by=world.alice, reason="")
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.is_open


def test_moves_cannot_be_dated_in_the_future_or_before_the_last_step(world: World) -> None:
    enrolment = world.rosa_enrolment
    one = phases(world)[1]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(MoveRefused, match="future"):
        enrolment.move_to(one, by=world.alice, on=tomorrow)
    with pytest.raises(MoveRefused, match="before"):
        enrolment.move_to(one, by=world.alice, on=enrolment.referred_on - datetime.timedelta(1))
    enrolment.refresh_from_db()
    assert enrolment.current_phase.order == 0
    assert enrolment.events.count() == 1


def test_a_retired_phase_takes_no_new_moves(world: World) -> None:
    one, two = phases(world)[1:3]
    one.retired = True
    one.save()
    assert f"phase:{one.pk}" not in keys(world.rosa_enrolment)
    assert f"phase:{two.pk}" in keys(world.rosa_enrolment)


def test_a_renamed_phase_does_not_rewrite_the_recorded_journey(world: World) -> None:
    one = phases(world)[1]
    event = world.rosa_enrolment.move_to(one, by=world.alice)
    one.name = "Assessment"
    one.save()
    event.refresh_from_db()
    assert event.to_phase_name == "Intake and assessment"


def test_only_a_case_manager_can_carry_a_caseload(world: World) -> None:
    with pytest.raises(MoveRefused):
        world.rosa_enrolment.assign(case_manager=world.pat, peer_mentor=None, by=world.morgan)
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.case_manager == world.alice
    world.rosa_enrolment.assign(case_manager=world.amira, peer_mentor=world.pat, by=world.morgan)
    assert world.rosa_enrolment.events.filter(kind="assigned").count() == 1

"""Undoing a mistaken phase move or exit: her case manager or the program manager, with
a reason, within a day, while nothing depends on it; audited; the move stays on her
journey, marked undone."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.enrolments.models import Enrolment, EventKind, ExitReason, JourneyEvent
from doorway.plans.models import PlanReview
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def moved(world: World) -> JourneyEvent:
    """Rosa, moved on by her case manager a moment ago, 40 days after her referral."""
    enrolment = world.rosa_enrolment
    enrolment.phase_started_on = enrolment.referred_on = timezone.localdate() - datetime.timedelta(
        days=40
    )
    enrolment.save()
    JourneyEvent.objects.filter(enrolment=enrolment).update(effective_on=enrolment.referred_on)
    return enrolment.move_to(world.program.active_phases()[1], by=world.alice)


def undo_url(event: JourneyEvent) -> str:
    return reverse("enrolment_undo", args=[event.enrolment_id, event.pk])


def fresh(world: World) -> Enrolment:
    return Enrolment.objects.get(pk=world.rosa_enrolment.pk)


def test_her_case_manager_undoes_a_move_and_her_phase_is_put_back(client, world: World) -> None:
    first = world.program.active_phases()[0]
    event = moved(world)
    signed_in(client, world.alice)
    page = client.get(reverse("enrolment_detail", args=[world.rosa_enrolment.pk])).content.decode()
    assert "Undo the move" in page

    response = client.post(undo_url(event), {"reason": "Chosen on the wrong record."})

    assert response.status_code == 302
    enrolment = fresh(world)
    assert enrolment.current_phase == first
    assert enrolment.phase_started_on == enrolment.referred_on
    event.refresh_from_db()
    assert (event.kind, event.undone_kind) == (EventKind.UNDONE, EventKind.ADVANCED)
    assert event.undone_by == world.alice
    assert event.undo_reason == "Chosen on the wrong record."
    entry = AuditEntry.objects.filter(action=Action.CHANGE).latest("pk")
    assert entry.detail["event"] == "undone"
    assert entry.detail["journey_event"] == str(event.pk)
    # Still on her journey, said to be undone; the phase stays the one she is in.
    page = client.get(reverse("enrolment_detail", args=[enrolment.pk])).content.decode()
    assert "Moved to the next phase (undone)" in page
    assert "Chosen on the wrong record." in page
    assert "Phase 0 — Making the connection" in page


def test_an_exit_undone_leaves_her_enrolled(world: World) -> None:
    enrolment = world.rosa_enrolment
    event = enrolment.exit(ExitReason.DECEASED, by=world.alice, reason="Clicked the wrong line.")
    enrolment.undo(event, by=world.morgan, reason="Wrong reason chosen.")
    enrolment = fresh(world)
    assert enrolment.is_open
    assert enrolment.exited_on is None


def test_the_program_manager_may_undo_but_not_a_teammate_or_her_peer_mentor(
    client, world: World
) -> None:
    event = moved(world)
    for who in (world.amira, world.pat):
        signed_in(client, who)
        assert client.post(undo_url(event), {"reason": "Mistake."}).status_code == 403
        assert fresh(world).current_phase == event.to_phase
    signed_in(client, world.morgan)
    assert client.post(undo_url(event), {"reason": "Mistake."}).status_code == 302
    assert fresh(world).current_phase == event.from_phase


def test_out_of_reach_is_404_and_audited(client, world: World) -> None:
    event = moved(world)
    signed_in(client, world.bianca)
    assert client.post(undo_url(event), {"reason": "Mistake."}).status_code == 404
    assert AuditEntry.objects.filter(action=Action.REFUSED, actor_id=str(world.bianca.pk)).exists()
    assert fresh(world).current_phase == event.to_phase


def test_a_reason_is_needed(client, world: World) -> None:
    event = moved(world)
    signed_in(client, world.alice)
    page = client.post(undo_url(event), {"reason": "  "}).content.decode()
    assert "This field is required." in page
    assert fresh(world).current_phase == event.to_phase


def test_after_a_day_it_is_refused_with_a_clear_message(client, world: World) -> None:
    event = moved(world)
    JourneyEvent.objects.filter(pk=event.pk).update(
        recorded_at=timezone.now() - datetime.timedelta(hours=24, minutes=1)
    )
    signed_in(client, world.alice)
    response = client.post(undo_url(event), {"reason": "Mistake."}, follow=True)
    assert "more than a day ago" in response.content.decode()
    assert fresh(world).current_phase == event.to_phase
    event.refresh_from_db()
    assert event.kind == EventKind.ADVANCED


def test_a_later_step_of_her_journey_keeps_the_move(client, world: World) -> None:
    event = moved(world)
    fresh(world).decide_eligibility("eligible", by=world.alice, reason="Three risk factors.")
    signed_in(client, world.alice)
    response = client.post(undo_url(event), {"reason": "Mistake."}, follow=True)
    assert "Eligibility decided" in response.content.decode()
    assert fresh(world).current_phase == event.to_phase


def test_a_plan_review_it_prompted_keeps_the_move(world: World) -> None:
    event = moved(world)
    assert event.to_phase is not None
    PlanReview.objects.create(
        enrolment=world.rosa_enrolment,
        reviewed_on=timezone.localdate(),
        phase=event.to_phase,
        prompted_by=event,
        decided="Kept her goals.",
        recorded_by=world.alice,
    )
    why = fresh(world).undo_refused_because(event)
    assert "plan review" in why


def test_the_api_undoes_by_the_same_rule(world: World) -> None:
    event = moved(world)
    url = f"/api/v1/enrolments/{world.rosa_enrolment.pk}/undo/"
    body = {"event": str(event.pk), "reason": "Mistake."}
    teammate = APIClient()
    teammate.force_authenticate(world.amira)
    assert teammate.post(url, body, format="json", HTTP_IF_MATCH="*").status_code == 403
    outsider = APIClient()
    outsider.force_authenticate(world.bianca)
    assert outsider.post(url, body, format="json", HTTP_IF_MATCH="*").status_code == 404
    hers = APIClient()
    hers.force_authenticate(world.alice)
    response = hers.post(url, body, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.content
    assert fresh(world).current_phase == event.from_phase
    again = hers.post(url, body, format="json", HTTP_IF_MATCH="*")
    assert again.status_code == 400
    assert "already undone" in again.json()["detail"]
    events = hers.get(f"/api/v1/journey-events/?enrolment={world.rosa_enrolment.pk}").json()
    undone = [e for e in events["results"] if e["kind"] == "undone"]
    assert undone[0]["undone_kind"] == "advanced"
    assert undone[0]["undo_reason"] == "Mistake."

"""The enrolment page: phase moves, eligibility, assignments, and the journey timeline."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.enrolments.models import Eligibility, Enrolment, EventKind, ExitReason
from doorway.people.actions import add_safety_flag, withdraw_consent
from doorway.people.models import BreakGlass, FlagKind
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def page_of(enrolment: Enrolment) -> str:
    return reverse("enrolment_detail", args=[enrolment.pk])


def move_url(enrolment: Enrolment) -> str:
    return reverse("enrolment_move", args=[enrolment.pk])


def phase(world: World, order: int):
    return world.program.active_phases().get(order=order)


def snapshot(enrolment: Enrolment) -> tuple[object, ...]:
    enrolment.refresh_from_db()
    return (
        enrolment.current_phase_id,
        enrolment.exit_reason,
        enrolment.eligibility,
        enrolment.case_manager_id,
        enrolment.peer_mentor_id,
        enrolment.events.count(),
    )


def today() -> str:
    return timezone.localdate().isoformat()


def test_her_case_manager_sees_the_page_and_it_is_audited(client, world: World) -> None:
    enrolment = world.rosa_enrolment
    signed_in(client, world.alice)
    page = client.get(page_of(enrolment)).content.decode()
    assert "Making the connection" in page
    assert "Street outreach" in page
    assert "Move to Phase 1 — Intake and assessment" in page
    entry = AuditEntry.objects.get(action=Action.VIEW)
    assert entry.participant_id == str(world.rosa.pk)
    assert entry.object_id == str(enrolment.pk)


def test_the_safety_flags_show_on_the_enrolment_page(client, world: World) -> None:
    add_safety_flag(world.rosa, kind=FlagKind.SOMEONE_LOOKING, note="", by=world.alice)
    signed_in(client, world.alice)
    page = client.get(page_of(world.rosa_enrolment)).content.decode()
    assert "Someone may be looking for her: confirm nothing" in page
    assert page.index("Safety flags") < page.index("Where she is")


def test_the_form_offers_exactly_the_allowed_moves_blocked_ones_disabled(client, world) -> None:
    enrolment = world.rosa_enrolment
    signed_in(client, world.alice)
    page = client.get(page_of(enrolment)).content.decode()
    for move in enrolment.allowed_moves():
        assert f'value="{move.key}"' in page
        if move.blocked_because:
            assert move.blocked_because in page
    assert page.count('type="radio" name="move"') == len(enrolment.allowed_moves())
    assert page.count(" disabled aria-describedby=") == sum(
        1 for m in enrolment.allowed_moves() if m.blocked_because
    )
    assert "Exit: Graduated" not in page


def test_a_case_manager_moves_her_to_the_next_phase(client, world: World) -> None:
    enrolment = world.rosa_enrolment
    intake = phase(world, 1)
    signed_in(client, world.alice)
    response = client.post(
        move_url(enrolment), {"confirmed": "yes", "move": f"phase:{intake.pk}", "on": today()}
    )
    assert response.status_code == 302
    assert response["Location"] == page_of(enrolment)
    enrolment.refresh_from_db()
    assert enrolment.current_phase == intake
    event = enrolment.events.order_by("recorded_at").last()
    assert event is not None
    assert event.kind == EventKind.ADVANCED
    assert event.recorded_by == world.alice
    page = client.get(page_of(enrolment)).content.decode()
    assert "Making the connection → Intake and assessment" in page


def test_a_teammate_can_move_her_too(client, world: World) -> None:
    signed_in(client, world.amira)
    intake = phase(world, 1)
    response = client.post(
        move_url(world.rosa_enrolment),
        {"confirmed": "yes", "move": f"phase:{intake.pk}", "on": today()},
    )
    assert response.status_code == 302


def test_a_blocked_move_is_refused_next_to_the_form_and_nothing_is_saved(client, world):
    enrolment = world.rosa_enrolment
    withdraw_consent(world.rosa.consents.get(), on=timezone.localdate(), by=world.alice)
    before = snapshot(enrolment)
    signed_in(client, world.alice)
    intake = phase(world, 1)
    response = client.post(
        move_url(enrolment), {"confirmed": "yes", "move": f"phase:{intake.pk}", "on": today()}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="move-errors"' in page
    assert "She has no consent to service in force" in page
    assert snapshot(enrolment) == before


def test_an_exit_without_a_reason_is_refused_and_what_was_typed_is_kept(client, world):
    enrolment = world.rosa_enrolment
    before = snapshot(enrolment)
    signed_in(client, world.alice)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        move_url(enrolment),
        {"confirmed": "yes", "move": f"exit:{ExitReason.LOST_CONTACT}", "on": yesterday},
    )
    page = response.content.decode()
    assert 'id="move_reason-errors"' in page
    assert "this move needs a reason" in page
    assert f'value="{yesterday}"' in page
    assert f'value="exit:{ExitReason.LOST_CONTACT}"\n                 checked' in page
    assert snapshot(enrolment) == before


def test_a_move_dated_before_her_last_step_is_refused_by_the_machine(client, world) -> None:
    enrolment = world.rosa_enrolment
    before = snapshot(enrolment)
    signed_in(client, world.alice)
    too_early = (enrolment.referred_on - datetime.timedelta(days=1)).isoformat()
    intake = phase(world, 1)
    response = client.post(
        move_url(enrolment), {"confirmed": "yes", "move": f"phase:{intake.pk}", "on": too_early}
    )
    assert "A move cannot be dated before the last step of her journey" in (
        response.content.decode()
    )
    assert snapshot(enrolment) == before


def test_a_move_not_on_offer_is_refused(client, world: World) -> None:
    enrolment = world.rosa_enrolment
    before = snapshot(enrolment)
    signed_in(client, world.alice)
    response = client.post(
        move_url(enrolment), {"confirmed": "yes", "move": "exit:graduated", "reason": "x"}
    )
    assert "Select a valid choice" in response.content.decode()
    assert snapshot(enrolment) == before


def test_an_exit_with_a_reason_then_a_reopen(client, world: World) -> None:
    enrolment = world.rosa_enrolment
    signed_in(client, world.alice)
    client.post(
        move_url(enrolment),
        {
            "confirmed": "yes",
            "move": f"exit:{ExitReason.WITHDREW}",
            "reason": "She chose to stop.",
            "on": today(),
        },
    )
    enrolment.refresh_from_db()
    assert enrolment.exit_reason == ExitReason.WITHDREW
    page = client.get(page_of(enrolment)).content.decode()
    assert 'value="reopened"' in page
    assert "She chose to stop." in page
    client.post(
        move_url(enrolment),
        {"confirmed": "yes", "move": "reopened", "reason": "She came back.", "on": today()},
    )
    enrolment.refresh_from_db()
    assert enrolment.is_open


def test_an_eligibility_decision_is_recorded(client, world: World) -> None:
    enrolment = world.rosa_enrolment
    signed_in(client, world.alice)
    url = reverse("enrolment_eligibility", args=[enrolment.pk])
    response = client.post(
        url, {"decision": Eligibility.ELIGIBLE, "reason": "Four risk factors.", "on": today()}
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.eligibility == Eligibility.ELIGIBLE
    assert enrolment.eligibility_reason == "Four risk factors."


def test_an_eligibility_decision_needs_a_reason(client, world: World) -> None:
    enrolment = world.rosa_enrolment
    before = snapshot(enrolment)
    signed_in(client, world.alice)
    url = reverse("enrolment_eligibility", args=[enrolment.pk])
    page = client.post(url, {"decision": Eligibility.ELIGIBLE, "on": today()}).content.decode()
    assert 'id="eligibility_reason-errors"' in page
    assert snapshot(enrolment) == before


def test_only_a_program_manager_assigns_staff(client, world: World) -> None:
    enrolment = world.rosa_enrolment
    url = reverse("enrolment_assign", args=[enrolment.pk])
    data = {"case_manager": str(world.amira.pk), "peer_mentor": ""}
    signed_in(client, world.alice)
    assert "Assign staff" not in client.get(page_of(enrolment)).content.decode()
    before = snapshot(enrolment)
    assert client.post(url, data).status_code == 403
    assert snapshot(enrolment) == before
    client.logout()
    signed_in(client, world.morgan)
    assert "Assign staff" in client.get(page_of(enrolment)).content.decode()
    assert client.post(url, data).status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.case_manager, enrolment.peer_mentor) == (world.amira, None)


def test_a_peer_mentor_sees_phases_and_dates_but_no_reasons_and_cannot_move(client, world):
    enrolment = world.rosa_enrolment
    enrolment.decide_eligibility(Eligibility.ELIGIBLE, by=world.alice, reason="Secret reasons.")
    enrolment.move_to(phase(world, 1), by=world.alice)
    enrolment.move_to(phase(world, 2), by=world.alice, reason="")
    enrolment.exit(ExitReason.LOST_CONTACT, by=world.alice, reason="Private note on why.")
    enrolment.reopen(by=world.alice, reason="Back in touch, private.")
    signed_in(client, world.pat)
    page = client.get(page_of(enrolment)).content.decode()
    assert "Intake and assessment → Service implementation and behaviour change" in page
    for hidden in [
        "Secret reasons.",
        "Private note on why.",
        "Back in touch, private.",
        "Street outreach",
        "Eligibility",
        "Move her journey on",
    ]:
        assert hidden not in page
    before = snapshot(enrolment)
    data = {"confirmed": "yes", "move": f"phase:{phase(world, 3).pk}", "on": today()}
    assert client.post(move_url(enrolment), data).status_code == 403
    eligibility = reverse("enrolment_eligibility", args=[enrolment.pk])
    assert client.post(eligibility, {"decision": "not_eligible", "reason": "x"}).status_code == 403
    assert snapshot(enrolment) == before


@pytest.mark.parametrize("who", ["bianca", "eve", "ada", "olive", "oscar"])
def test_those_out_of_reach_get_404_and_change_nothing(client, world: World, who: str) -> None:
    enrolment = world.rosa_enrolment
    before = snapshot(enrolment)
    signed_in(client, getattr(world, who))
    assert client.get(page_of(enrolment)).status_code == 404
    intake = phase(world, 1)
    posts = {
        move_url(enrolment): {"confirmed": "yes", "move": f"phase:{intake.pk}", "on": today()},
        reverse("enrolment_eligibility", args=[enrolment.pk]): {
            "decision": "eligible",
            "reason": "x",
            "on": today(),
        },
        reverse("enrolment_assign", args=[enrolment.pk]): {"case_manager": str(world.bianca.pk)},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    assert snapshot(enrolment) == before
    refused = AuditEntry.objects.filter(action=Action.REFUSED, actor_id=str(getattr(world, who).pk))
    assert refused.count() == 1 + len(posts)
    assert all(e.detail["object_id"] == str(enrolment.pk) for e in refused)


def test_an_administrator_with_broken_glass_reads_but_cannot_move(client, world) -> None:
    enrolment = world.rosa_enrolment
    BreakGlass.objects.create(
        user=world.ada,
        participant=world.rosa,
        reason="Subject access request at the desk.",
        expires_at=timezone.now() + datetime.timedelta(minutes=30),
    )
    before = snapshot(enrolment)
    signed_in(client, world.ada)
    page = client.get(page_of(enrolment)).content.decode()
    assert "Break-the-glass access until" in page
    assert "Move her to another phase" not in page
    intake = phase(world, 1)
    data = {"confirmed": "yes", "move": f"phase:{intake.pk}", "on": today()}
    assert client.post(move_url(enrolment), data).status_code == 403
    assert snapshot(enrolment) == before


def test_anonymous_is_sent_to_sign_in_and_nothing_moves(client, world: World) -> None:
    enrolment = world.rosa_enrolment
    before = snapshot(enrolment)
    response = client.post(
        move_url(enrolment), {"confirmed": "yes", "move": f"phase:{phase(world, 1).pk}"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.get(page_of(enrolment)).status_code == 302
    assert snapshot(enrolment) == before


def test_days_in_phase_are_shown_against_what_is_expected(client, world: World) -> None:
    enrolment = world.rosa_enrolment
    enrolment.move_to(
        phase(world, 1), by=world.alice, on=timezone.localdate() - datetime.timedelta(days=0)
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(
        phase_started_on=timezone.localdate() - datetime.timedelta(days=100)
    )
    signed_in(client, world.alice)
    page = client.get(page_of(enrolment)).content.decode()
    assert "day 100 of about 90" in page
    assert "Longer than expected" in page


def test_the_eligibility_form_starts_from_the_decision_on_record(client, world: World) -> None:
    world.rosa_enrolment.decide_eligibility(
        "eligible", by=world.alice, reason="Three of the seven risk factors"
    )
    signed_in(client, world.alice)
    page = client.get(reverse("enrolment_detail", args=[world.rosa_enrolment.pk]))
    html = page.content.decode()
    assert "Three of the seven risk factors</textarea>" in html
    radio = re.search(r'<input[^>]*name="decision"[^>]*value="eligible"[^>]*>', html)
    assert radio is not None
    assert "checked" in radio.group(0)


def test_reloading_a_forms_address_goes_back_to_her_enrolment_page(client, world: World) -> None:
    signed_in(client, world.alice)
    page = reverse("enrolment_detail", args=[world.rosa_enrolment.pk])
    for name in ("enrolment_move", "enrolment_eligibility", "enrolment_assign"):
        response = client.get(reverse(name, args=[world.rosa_enrolment.pk]))
        assert response.status_code == 302
        assert response["Location"] == page
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.events.count() == 1

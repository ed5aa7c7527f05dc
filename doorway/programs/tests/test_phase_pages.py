"""A program manager edits, reorders, retires and adds phases; history stays as it was."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.enrolments.models import JourneyEvent
from doorway.programs import actions
from doorway.programs.models import Phase
from doorway.testing.forms import post_form
from doorway.testing.signin import signed_in
from doorway.web.configuration.views import open_enrolments_in

pytestmark = pytest.mark.django_db


def base(world: World) -> str:
    return f"/programs/{world.program.pk}/"


def names(world: World) -> list[str]:
    return list(world.program.active_phases().values_list("name", flat=True))


def phase_data(**overrides) -> dict:
    data = {
        "name": "Intake and assessment",
        "description": "",
        "expected_days": "90",
        "contact_cadence": "weekly",
        "requires_service_consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_renaming_a_phase_keeps_the_name_on_journeys_already_recorded(client, world: World) -> None:
    first = world.program.active_phases()[0]
    signed_in(client, world.morgan)
    response = post_form(
        client,
        base(world) + f"phases/{first.pk}/",
        phase_data(name="First contact", expected_days="", contact_cadence="as_needed"),
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.name == "First contact"
    event = JourneyEvent.objects.get(enrolment=world.rosa_enrolment)
    assert event.to_phase_name == "Making the connection"
    timeline = client.get(f"/enrolments/{world.rosa_enrolment.pk}/").content.decode()
    assert "Making the connection" in timeline


def test_a_phase_edit_is_kept_in_its_history_and_on_the_audit_log(client, world: World) -> None:
    phase = world.program.active_phases()[1]
    signed_in(client, world.morgan)
    post_form(client, base(world) + f"phases/{phase.pk}/", phase_data(expected_days="120"))
    phase.refresh_from_db()
    assert phase.expected_days == 120
    latest = phase.history.latest()
    assert latest.history_user == world.morgan
    assert latest.prev_record.expected_days == 90
    entry = AuditEntry.objects.filter(action=Action.CHANGE, object_id=str(phase.pk)).get()
    assert entry.detail == {"fields": ["expected_days"]}
    assert entry.actor_username == "morgan"


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(client, world: World) -> None:
    phase = world.program.active_phases()[1]
    signed_in(client, world.morgan)
    response = post_form(
        client, base(world) + f"phases/{phase.pk}/", phase_data(name="", expected_days="0")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_name_error"' in page
    assert 'id="id_expected_days_error"' in page
    phase.refresh_from_db()
    assert (phase.name, phase.expected_days) == ("Intake and assessment", 90)
    assert not AuditEntry.objects.filter(action=Action.CHANGE).exists()


def test_two_active_phases_cannot_share_a_name(client, world: World) -> None:
    phase = world.program.active_phases()[1]
    signed_in(client, world.morgan)
    response = post_form(
        client, base(world) + f"phases/{phase.pk}/", phase_data(name="making the connection")
    )
    assert response.status_code == 400
    assert "Another phase of this program has that name." in response.content.decode()


def test_a_new_phase_goes_after_the_last(client, world: World) -> None:
    signed_in(client, world.morgan)
    response = client.post(
        base(world) + "phases/add/", phase_data(name="Follow-up", contact_cadence="monthly")
    )
    assert response.status_code == 302
    assert names(world)[-1] == "Follow-up"
    assert AuditEntry.objects.filter(action=Action.CREATE, object_type="programs.Phase").exists()


def test_moving_a_phase_up_swaps_it_with_the_one_before(client, world: World) -> None:
    third = world.program.active_phases()[2]
    signed_in(client, world.morgan)
    response = client.post(base(world) + f"phases/{third.pk}/move/", {"direction": "up"})
    assert response.status_code == 302
    assert names(world) == [
        "Making the connection",
        "Service implementation and behaviour change",
        "Intake and assessment",
        "Adopting a new identity",
    ]
    entry = AuditEntry.objects.get(action=Action.CHANGE, object_id=str(third.pk))
    assert entry.detail["moved"] == "up"


def test_moving_with_htmx_answers_the_phase_table(client, world: World) -> None:
    first = world.program.active_phases()[0]
    signed_in(client, world.morgan)
    response = client.post(
        base(world) + f"phases/{first.pk}/move/", {"direction": "down"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="phases"')
    assert names(world)[:2] == ["Intake and assessment", "Making the connection"]


def test_the_first_phase_cannot_move_up_nor_the_last_down(world: World) -> None:
    phases = list(world.program.active_phases())
    assert actions.move_phase(phases[0], "up", by=world.morgan) is False
    assert actions.move_phase(phases[-1], "down", by=world.morgan) is False
    assert names(world) == [p.name for p in phases]


def test_moving_past_a_retired_phase_skips_its_old_position(world: World) -> None:
    phases = list(world.program.active_phases())
    actions.retire_phase(phases[2], by=world.morgan, open_enrolments_in=open_enrolments_in)
    assert actions.move_phase(phases[3], "up", by=world.morgan)
    assert names(world)[1:] == ["Adopting a new identity", "Intake and assessment"]
    orders = list(world.program.active_phases().values_list("order", flat=True))
    assert len(set(orders)) == len(orders)


def test_a_phase_she_is_in_cannot_be_retired(client, world: World) -> None:
    first = world.program.active_phases()[0]
    signed_in(client, world.morgan)
    response = client.post(base(world) + f"phases/{first.pk}/retire/", follow=True)
    assert "participants are in “Making the connection” now" in response.content.decode()
    first.refresh_from_db()
    assert first.retired is False
    with pytest.raises(ValidationError):
        actions.retire_phase(first, by=world.morgan, open_enrolments_in=open_enrolments_in)


def test_an_empty_phase_is_retired_and_can_be_brought_back(client, world: World) -> None:
    last = world.program.active_phases().last()
    assert last is not None
    signed_in(client, world.morgan)
    response = client.post(base(world) + f"phases/{last.pk}/retire/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Retired phases" in response.content.decode()
    last.refresh_from_db()
    assert last.retired is True
    assert "Adopting a new identity" not in names(world)
    client.post(base(world) + f"phases/{last.pk}/restore/")
    assert names(world)[-1] == "Adopting a new identity"


def test_a_retired_phase_keeps_its_name_on_past_journeys(world: World) -> None:
    enrolment = world.rosa_enrolment
    second = world.program.active_phases()[1]
    for each in world.program.cycles.get().enrolments.all():
        each.move_to(second, by=world.morgan)
    first = world.program.active_phases()[0]
    actions.retire_phase(first, by=world.morgan, open_enrolments_in=open_enrolments_in)
    assert Phase.objects.get(pk=first.pk).retired
    assert list(enrolment.events.values_list("to_phase_name", flat=True)) == [
        "Making the connection",
        "Intake and assessment",
    ]

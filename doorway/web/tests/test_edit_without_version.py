"""An edit form posted without the version it was opened on, or with something that is
not a version, saves nothing.

The attack: Amira opens her record, Alice saves a change, then Amira (or a page someone
altered, or an old tab) posts the form with the hidden `version` field removed or
garbled. Before, the missing version meant "do not check", and Amira's post silently
undid Alice's change. Now it is refused with a plain message, and Alice's change stands.
"""

from __future__ import annotations

import datetime
import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorway.casework.actions import record_contact
from doorway.casework.models import Contact
from doorway.conftest import World
from doorway.people.models import Participant
from doorway.plans import actions as plans
from doorway.plans.models import Goal, ServicePlan
from doorway.testing.signin import signed_in
from doorway.web.forms import UNKNOWN_VERSION

pytestmark = pytest.mark.django_db

NOT_VERSIONS = [None, "", "   ", "0", "anything", "*", "NEW", "g" * 32, "a" * 31, "a" * 64]


def today() -> datetime.date:
    return timezone.localdate()


def refused(client: Client, url: str, data: dict[str, Any], version: str | None) -> None:
    posted = dict(data)
    if version is not None:
        posted["version"] = version
    response = client.post(url, posted)
    assert response.status_code in {200, 400}, (version, response.status_code)
    assert str(UNKNOWN_VERSION) in html.unescape(response.content.decode()), version


@pytest.mark.parametrize("version", NOT_VERSIONS)
def test_her_details_are_not_overwritten_without_a_version(world: World, version: Any) -> None:
    client = Client()
    signed_in(client, world.amira)
    url = reverse("participant_edit", args=[world.rosa.pk])
    before = Participant.objects.get(pk=world.rosa.pk).preferred_name
    refused(client, url, {"preferred_name": "Ro", "legal_name": "Rosa Example"}, version)
    assert Participant.objects.get(pk=world.rosa.pk).preferred_name == before


def test_a_plan_is_not_overwritten_without_a_version(world: World) -> None:
    plans.save_service_plan(
        world.rosa_enrolment, by=world.alice, agreed_on=today(), her_words="A home of my own"
    )
    client = Client()
    signed_in(client, world.amira)
    url = reverse("plan_agree", args=[world.rosa_enrolment.pk])
    for version in NOT_VERSIONS:
        refused(client, url, {"agreed_on": today(), "her_words": "Changed"}, version)
    assert ServicePlan.objects.get().her_words == "A home of my own"


def test_a_goal_and_a_contact_are_not_overwritten_without_a_version(world: World) -> None:
    plans.save_service_plan(
        world.rosa_enrolment, by=world.alice, agreed_on=today(), her_words="A home of my own"
    )
    area = world.program.focus_areas.first()
    assert area is not None
    goal = plans.add_goal(
        world.rosa_enrolment, by=world.alice, focus_area=area, her_words="Find a flat"
    )
    contact = record_contact(
        world.rosa_enrolment,
        by=world.alice,
        happened_on=today(),
        duration_minutes=30,
        kind="counselling",
        note="Talked about the move",
    )
    client = Client()
    signed_in(client, world.amira)
    enrolment = world.rosa_enrolment.pk
    for version in (None, "not-a-version"):
        refused(
            client,
            reverse("goal_edit", args=[enrolment, goal.pk]),
            {"focus_area": area.pk, "her_words": "Find a room"},
            version,
        )
        refused(
            client,
            reverse("contact_edit", args=[enrolment, contact.pk]),
            {"happened_on": today(), "duration_minutes": 30, "kind": "counselling", "note": "X"},
            version,
        )
    assert Goal.objects.get().her_words == "Find a flat"
    assert Contact.objects.get().note == "Talked about the move"


def test_a_programs_phase_is_not_overwritten_without_a_version(world: World) -> None:
    phase = world.program.active_phases()[1]
    client = Client()
    signed_in(client, world.morgan)
    url = reverse("phase_edit", args=[world.program.pk, phase.pk])
    data = {"name": phase.name, "description": "", "contact_cadence": phase.contact_cadence}
    before = phase.expected_days
    refused(client, url, {**data, "expected_days": "75"}, None)
    phase.refresh_from_db()
    assert phase.expected_days == before


def test_adding_a_record_needs_no_version(world: World) -> None:
    """A form that adds (a new phase) showed no record, so it carries no version."""
    client = Client()
    signed_in(client, world.morgan)
    url = reverse("phase_add", args=[world.program.pk])
    count = world.program.phases.count()
    response = client.post(
        url,
        {
            "name": "Aftercare",
            "description": "",
            "expected_days": "30",
            "contact_cadence": "monthly",
        },
    )
    assert response.status_code == 302, html.unescape(response.content.decode())[:2000]
    assert world.program.phases.count() == count + 1

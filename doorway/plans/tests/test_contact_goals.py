"""Contacts name the goals they addressed: her open goals, of her own plan only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from doorway.casework.actions import edit_contact, record_contact
from doorway.casework.models import Contact
from doorway.conftest import World
from doorway.enrolments.models import Enrolment
from doorway.plans.actions import change_goal_status
from doorway.plans.tests.support import days_ago, plan_for
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def contact(world: World, **kw: object) -> Contact:
    values: dict[str, Any] = {
        "happened_on": timezone.localdate(),
        "duration_minutes": 30,
        "kind": "counselling",
        "note": "Talked about housing",
    }
    values.update(kw)
    return record_contact(world.rosa_enrolment, by=world.alice, **values)


def test_a_contact_records_the_goals_it_addressed_in_one_version(world: World) -> None:
    _, goals = plan_for(world)
    made = contact(world, goals=goals[:1])
    assert list(made.goals.all()) == goals[:1]
    assert made.history.count() == 1
    edit_contact(made, by=world.alice, goals=goals)
    assert set(made.goals.all()) == set(goals)
    assert made.history.count() == 2


def test_a_goal_of_another_participant_is_refused_and_nothing_saved(world: World) -> None:
    tess = Enrolment.objects.get(participant=world.tess)
    _, (other,) = plan_for(world, enrolment=tess, goals=1)
    with pytest.raises(ValidationError) as refused:
        contact(world, goals=[other])
    assert "goals" in refused.value.message_dict
    assert not Contact.objects.exists()


def test_the_form_offers_her_open_goals_only_and_the_page_shows_them(client, world) -> None:
    _, (open_goal, done_goal) = plan_for(world)
    change_goal_status(done_goal, by=world.alice, status="achieved", on=days_ago(0))
    signed_in(client, world.alice)
    record_url = reverse("contact_record", args=[world.rosa_enrolment.pk])
    form = client.get(record_url).content.decode()
    assert "Goal number 0" in form
    assert "Goal number 1" not in form
    response = client.post(
        record_url,
        {
            "happened_on": days_ago(0).isoformat(),
            "duration_minutes": "20",
            "kind": "counselling",
            "note": "Bank visit",
            "goals": [open_goal.pk],
        },
    )
    assert response.status_code == 302
    made = Contact.objects.get()
    assert list(made.goals.all()) == [open_goal]
    page = client.get(reverse("enrolment_detail", args=[world.rosa_enrolment.pk])).content.decode()
    assert "Goals: " in page
    assert "Goal number 0" in page
    history = client.get(reverse("contact_history", args=[world.rosa_enrolment.pk, made.pk]))
    assert "Goal number 0" in history.content.decode()


def test_a_posted_goal_of_another_participant_is_refused_beside_the_field(client, world) -> None:
    tess = Enrolment.objects.get(participant=world.tess)
    _, (other,) = plan_for(world, enrolment=tess, goals=1)
    signed_in(client, world.alice)
    response = client.post(
        reverse("contact_record", args=[world.rosa_enrolment.pk]),
        {
            "happened_on": days_ago(0).isoformat(),
            "duration_minutes": "20",
            "kind": "counselling",
            "note": "x",
            "goals": [other.pk],
        },
    )
    assert response.status_code == 200
    assert not Contact.objects.exists()


def test_a_peer_mentor_sees_no_goals_and_cannot_link_them(client, world) -> None:
    _, goals = plan_for(world)
    signed_in(client, world.pat)
    form = client.get(reverse("contact_record", args=[world.rosa_enrolment.pk])).content.decode()
    assert "Goal number 0" not in form
    assert "Goals addressed" not in form
    with pytest.raises(ValidationError):
        record_contact(
            world.rosa_enrolment,
            by=world.pat,
            happened_on=timezone.localdate(),
            duration_minutes=20,
            kind="peer",
            goals=goals,
        )

"""The API keeps her safe-contact instructions fresh through the same rules as the pages:
the date she last confirmed them is part of her identity (for those who see it), new
instructions are confirmed the day they are saved, and confirming is for those who see
and change her details; everyone else is refused with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def confirm(world: World, user) -> Any:
    return api(user).post(f"/api/v1/participants/{world.rosa.pk}/confirm-safe-contact/")


def test_her_case_manager_confirms_them_and_reads_the_date_back(world: World) -> None:
    response = confirm(world, world.alice)
    assert response.status_code == 200, response.json()
    today = timezone.localdate()
    assert response.json()["identity"]["safe_contact_confirmed_on"] == today.isoformat()
    world.rosa.refresh_from_db()
    assert world.rosa.safe_contact_confirmed_on == today
    change = AuditEntry.objects.get(action=Action.CHANGE)
    assert change.detail == {"fields": ["safe_contact_confirmed_on"]}


@pytest.mark.parametrize(("who", "status"), [("pat", 403), ("eve", 403), ("bianca", 404)])
def test_the_others_are_refused_and_nothing_changes(world: World, who: str, status: int) -> None:
    assert confirm(world, getattr(world, who)).status_code == status
    world.rosa.refresh_from_db()
    assert world.rosa.safe_contact_confirmed_on is None
    assert not AuditEntry.objects.filter(action=Action.CHANGE).exists()


def test_new_instructions_through_the_api_are_confirmed_that_day(world: World) -> None:
    client = api(world.alice)
    read = client.get(f"/api/v1/participants/{world.rosa.pk}/")
    assert read.json()["identity"]["safe_contact_confirmed_on"] is None
    response = client.patch(
        f"/api/v1/participants/{world.rosa.pk}/",
        {"identity": {"safe_contact": "Email only"}},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert response.status_code == 200, response.json()
    assert response.json()["identity"]["safe_contact_confirmed_on"] == (
        timezone.localdate().isoformat()
    )


def test_a_peer_mentor_reads_neither_the_instructions_nor_their_date(world: World) -> None:
    body = api(world.pat).get(f"/api/v1/participants/{world.rosa.pk}/").json()
    assert body["identity"] is None

"""A body field the operation does not take is refused by name, and nothing changes.

The attack (or the slip): a PATCH with a misspelt field answered 200 and changed
nothing, so the client believed it saved. Now every body, at every level of nesting,
is checked against the operation's fields: 400 problem+json naming the field.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.casework.models import Contact
from doorway.conftest import World
from doorway.enrolments.models import JourneyEvent

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def refused_naming(response: Any, *fields: str) -> None:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert set(fields) <= set(response.json()["errors"]), response.json()


def test_a_patch_with_an_unknown_field_changes_nothing(world: World) -> None:
    client = api(world.alice)
    url = f"/api/v1/participants/{world.rosa.pk}/"
    etag = client.get(url)["ETag"]
    response = client.patch(
        url,
        {"preferred_name": "Rosie", "nickname": "Ro"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    refused_naming(response, "nickname")
    world.rosa.refresh_from_db()
    assert world.rosa.preferred_name == "Rosa"
    assert client.get(url)["ETag"] == etag


def test_an_unknown_field_inside_a_nested_object_is_named_by_its_path(world: World) -> None:
    client = api(world.alice)
    url = f"/api/v1/participants/{world.rosa.pk}/"
    etag = client.get(url)["ETag"]
    phone = world.rosa.phone
    response = client.patch(
        url, {"identity": {"phne": "416-555-0199"}}, format="json", HTTP_IF_MATCH=etag
    )
    refused_naming(response, "identity.phne")
    world.rosa.refresh_from_db()
    assert world.rosa.phone == phone


def test_a_post_with_an_unknown_field_creates_nothing(world: World) -> None:
    before = Contact.objects.count()
    response = api(world.alice).post(
        "/api/v1/contacts/",
        {
            "enrolment": str(world.rosa_enrolment.pk),
            "happened_on": timezone.localdate().isoformat(),
            "duration_minutes": 30,
            "kind": "counselling",
            "note": "Talked",
            "duration_hours": 2,
        },
        format="json",
    )
    refused_naming(response, "duration_hours")
    assert Contact.objects.count() == before


def test_an_action_with_an_unknown_field_does_nothing(world: World) -> None:
    one = world.program.active_phases()[1]
    events = JourneyEvent.objects.count()
    response = api(world.alice).post(
        f"/api/v1/enrolments/{world.rosa_enrolment.pk}/moves/",
        {"to_phase": str(one.pk), "reasn": "Ready"},
        format="json",
        HTTP_IF_MATCH="*",
    )
    refused_naming(response, "reasn")
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.current_phase == world.program.active_phases()[0]
    assert JourneyEvent.objects.count() == events

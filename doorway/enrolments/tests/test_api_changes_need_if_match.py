"""A phase move, an eligibility decision or a staff assignment through the API needs the
enrolment's ETag in If-Match, as every other change does.

The attack: Alice read Rosa's enrolment an hour ago; Amira has moved her on since. A
client that leaves If-Match out (by design or by mistake) would act on the enrolment as
it stands, not as its writer saw it. Without If-Match the answer is 428 and nothing
changes.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from doorway.conftest import World
from doorway.enrolments.models import JourneyEvent

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def changes(world: World) -> list[tuple[Any, str, dict[str, Any]]]:
    one = world.program.active_phases()[1]
    url = f"/api/v1/enrolments/{world.rosa_enrolment.pk}/"
    return [
        (world.alice, url + "moves/", {"to_phase": str(one.pk)}),
        (world.alice, url + "eligibility/", {"decision": "eligible", "reason": "Three factors"}),
        (
            world.morgan,
            url + "assignment/",
            {"case_manager": str(world.amira.pk), "peer_mentor": None, "reason": "Balance"},
        ),
    ]


def test_no_change_to_an_enrolment_without_if_match(world: World) -> None:
    enrolment = world.rosa_enrolment
    before = (enrolment.current_phase_id, enrolment.eligibility, enrolment.case_manager_id)
    events = JourneyEvent.objects.count()
    for user, url, body in changes(world):
        response = api(user).post(url, body, format="json")
        assert response.status_code == 428, (url, response.status_code)
        assert response["Content-Type"] == "application/problem+json"
        assert "If-Match" in response.json()["detail"]
    enrolment.refresh_from_db()
    assert (enrolment.current_phase_id, enrolment.eligibility, enrolment.case_manager_id) == before
    assert JourneyEvent.objects.count() == events


def test_each_change_goes_through_with_the_etag_it_was_read_with(world: World) -> None:
    for user, url, body in changes(world):
        client = api(user)
        etag = client.get(f"/api/v1/enrolments/{world.rosa_enrolment.pk}/")["ETag"]
        response = client.post(url, body, format="json", HTTP_IF_MATCH=etag)
        assert response.status_code == 200, (url, response.json())
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.current_phase == world.program.active_phases()[1]
    assert world.rosa_enrolment.eligibility == "eligible"
    assert world.rosa_enrolment.case_manager == world.amira

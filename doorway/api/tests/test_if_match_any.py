"""`If-Match: *` matches whatever version the record has now (RFC 9110, 13.1.1), and a
list of ETags matches if any one of them is the record's version now. A stale ETag is
still refused (412), and a change without If-Match still answers 428."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from doorway.conftest import World

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def patch_phone(world: World, phone: str, **headers: Any) -> Any:
    return api(world.alice).patch(
        f"/api/v1/participants/{world.rosa.pk}/",
        {"identity": {"phone": phone}},
        format="json",
        **headers,
    )


def test_if_match_star_changes_the_record_as_it_is_now(world: World) -> None:
    response = patch_phone(world, "416-555-0199", HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.json()
    world.rosa.refresh_from_db()
    assert world.rosa.phone == "416-555-0199"


def test_a_list_of_etags_matches_if_one_is_current(world: World) -> None:
    etag = api(world.alice).get(f"/api/v1/participants/{world.rosa.pk}/")["ETag"]
    response = patch_phone(world, "416-555-0123", HTTP_IF_MATCH=f'"0000", {etag}')
    assert response.status_code == 200, response.json()
    stale = patch_phone(world, "416-555-0000", HTTP_IF_MATCH=f'"0000", {etag}')
    assert stale.status_code == 412
    world.rosa.refresh_from_db()
    assert world.rosa.phone == "416-555-0123"


def test_a_move_with_if_match_star_goes_through(world: World) -> None:
    one = world.program.active_phases()[1]
    response = api(world.alice).post(
        f"/api/v1/enrolments/{world.rosa_enrolment.pk}/moves/",
        {"to_phase": str(one.pk)},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 200, response.json()
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.current_phase == one

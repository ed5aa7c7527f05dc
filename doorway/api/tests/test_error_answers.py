"""A client's mistake and a database that is away are answered as what they are, never
as a server bug: a body too large is 413, JSON nested to exhaust the parser is 400, a
database that does not answer is 503 with Retry-After, and every answer under /api/ is
problem+json, whoever is signed in and however. Each changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from doorway.api.parsers import MAX_DEPTH, depth
from doorway.api.tests.conftest import MakeClient
from doorway.conftest import World
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def participant_url(world: World) -> str:
    return f"/api/v1/participants/{world.rosa.pk}/"


def patch(client: Any, url: str, body: str) -> Any:
    return client.generic("PATCH", url, body, content_type="application/json", HTTP_IF_MATCH="*")


def is_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = json.loads(response.content)
    assert body["status"] == status
    return body


@contextmanager
def database_away() -> Iterator[None]:
    """Every query fails as it does when PostgreSQL has gone: connection refused."""
    refused = OperationalError("connection refused")
    with (
        mock.patch.object(CursorWrapper, "execute", side_effect=refused),
        mock.patch.object(CursorWrapper, "executemany", side_effect=refused),
    ):
        yield


def test_a_body_over_the_limit_is_413_and_saves_nothing(
    world: World, token_client: MakeClient
) -> None:
    client = token_client(world.alice, scope="write")
    phone = world.rosa.phone
    body = json.dumps({"identity": {"phone": "4" * (3 * 1024 * 1024)}})
    problem = is_problem(patch(client, participant_url(world), body), 413)
    assert "too large" in problem["detail"]
    world.rosa.refresh_from_db()
    assert world.rosa.phone == phone


def test_a_page_form_over_the_limit_is_413_and_saves_nothing(client: Client, world: World) -> None:
    client.raise_request_exception = False
    signed_in(client, world.alice)
    phone = world.rosa.phone
    response = client.post(
        f"/participants/{world.rosa.pk}/edit/",
        "phone=" + "4" * (3 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert b"too large" in response.content
    world.rosa.refresh_from_db()
    assert world.rosa.phone == phone


def test_json_nested_100000_deep_is_400(world: World, token_client: MakeClient) -> None:
    client = token_client(world.alice, scope="write")
    body = "[" * 100_000 + "]" * 100_000
    problem = is_problem(patch(client, participant_url(world), body), 400)
    assert "nested" in problem["detail"]


def test_json_just_past_the_depth_limit_is_400(world: World, token_client: MakeClient) -> None:
    client = token_client(world.alice, scope="write")
    nested: Any = {"phone": "416-555-0100"}
    for _ in range(MAX_DEPTH):
        nested = {"identity": nested}
    assert depth(nested) == MAX_DEPTH + 1
    is_problem(patch(client, participant_url(world), json.dumps(nested)), 400)


@pytest.mark.parametrize("signed", ["token", "session"])
def test_a_database_outage_is_503_with_retry_after_on_the_api(
    world: World, token_client: MakeClient, signed: str
) -> None:
    if signed == "token":
        client: Any = token_client(world.alice)
    else:
        client = Client()
        signed_in(client, world.alice)
    client.raise_request_exception = False
    with database_away():
        response = client.get(participant_url(world))
    problem = is_problem(response, 503)
    assert response["Retry-After"] == "30"
    assert "Try again" in problem["detail"]


def test_a_database_outage_is_503_on_a_page(client: Client, world: World) -> None:
    client.raise_request_exception = False
    signed_in(client, world.alice)
    with database_away():
        response = client.get(f"/participants/{world.rosa.pk}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"Nothing was changed" in response.content
    assert world.rosa.preferred_name.encode() not in response.content


def test_an_api_request_with_a_session_gets_problem_json_for_a_missing_path(
    client: Client, world: World
) -> None:
    signed_in(client, world.alice)
    is_problem(client.get("/api/v1/no-such-resource/"), 404)


def test_a_page_still_gets_the_html_not_found(client: Client, world: World) -> None:
    signed_in(client, world.alice)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_server_bug_on_the_api_is_problem_json_without_its_message(
    client: Client, world: World
) -> None:
    client.raise_request_exception = False
    signed_in(client, world.alice)
    bug = RuntimeError(world.rosa.preferred_name)
    with mock.patch("doorway.participants.api.ParticipantViewSet.retrieve", side_effect=bug):
        response = client.get(participant_url(world))
    problem = is_problem(response, 500)
    assert world.rosa.preferred_name not in json.dumps(problem)

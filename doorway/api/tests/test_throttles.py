"""Rate limits: per token (and per person signed in, per address without either);
too many requests answer 429 problem+json with Retry-After."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from doorway.api.tests.conftest import MakeClient
from doorway.conftest import World
from doorway.instruments.models import Administration
from doorway.people.signin import needs_second_factor
from doorway.testing.signin import signed_in

URL = "/api/v1/administrations/"


@pytest.fixture
def rates(settings: Any) -> Any:
    def set_rates(api: str, write: str = "100/min", anonymous: str = "100/min") -> None:
        settings.REST_FRAMEWORK = {
            **django_settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"api": api, "api_write": write, "api_anonymous": anonymous},
        }

    return set_rates


def assert_throttled(response: Any) -> None:
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) > 0
    body = json.loads(response.content)
    assert body["status"] == 429
    assert body["retry_after"] > 0


def test_a_token_over_its_rate_is_answered_429_with_retry_after(
    world: World, token_client: MakeClient, rates: Any
) -> None:
    rates("3/min")
    first, second = token_client(world.alice), token_client(world.alice)
    assert [first.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    assert_throttled(first.get(URL))
    # Counted per token: her other token is not held back by the first one.
    assert second.get(URL).status_code == 200


def test_writes_have_their_own_lower_rate_and_a_refused_write_changes_nothing(
    world: World, token_client: MakeClient, rates: Any
) -> None:
    rates("100/min", write="2/min")
    client = token_client(world.alice, "write")
    before = Administration.objects.count()
    for _ in range(2):
        assert client.post(URL, {}, format="json").status_code == 400
    assert_throttled(client.post(URL, {}, format="json"))
    assert client.get(URL).status_code == 200  # reads go on
    assert Administration.objects.count() == before


def test_a_signed_in_person_is_counted_by_account(world: World, client: Any, rates: Any) -> None:
    rates("2/min")
    signed_in(client, world.alice)
    assert [client.get(URL).status_code for _ in range(2)] == [200, 200]
    assert_throttled(client.get(URL))


def test_without_credentials_the_schema_is_limited_per_address(world: World, rates: Any) -> None:
    rates("100/min", anonymous="2/min")
    here, there = APIClient(REMOTE_ADDR="10.0.0.1"), APIClient(REMOTE_ADDR="10.0.0.2")
    assert [here.get("/api/v1/schema/").status_code for _ in range(2)] == [200, 200]
    assert_throttled(here.get("/api/v1/schema/"))
    assert there.get("/api/v1/schema/").status_code == 200


def test_a_token_request_is_never_sent_to_set_up_a_second_factor(
    world: World, token_client: MakeClient, client: Any
) -> None:
    """The second-factor middleware sees no session user on a token request (whose
    owner has a second factor, or she would hold no token); a browser session without
    a second factor is still sent to set one up."""
    assert token_client(world.alice).get(URL).status_code == 200
    assert needs_second_factor(world.amira)
    client.force_login(world.amira)
    assert client.get(URL).status_code == 302


def test_an_address_trying_bad_tokens_is_held_back_even_with_a_good_one(
    world: World, token_client: MakeClient, settings: Any
) -> None:
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "100/min", "api_bad_token": "3/min"},
    }
    guesser = APIClient(REMOTE_ADDR="10.0.0.7")
    for n in range(3):
        guesser.credentials(HTTP_AUTHORIZATION=f"Bearer dw_AAAAAAA{n}_" + "B" * 43)
        assert guesser.get(URL).status_code == 401
    assert_throttled(guesser.get(URL))
    good = token_client(world.alice)
    good.defaults["REMOTE_ADDR"] = "10.0.0.7"
    assert_throttled(good.get(URL))
    # Elsewhere, her token works.
    good.defaults["REMOTE_ADDR"] = "10.0.0.8"
    assert good.get(URL).status_code == 200

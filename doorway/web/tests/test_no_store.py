"""Nothing a signed-in person is shown is kept by a browser's or a proxy's cache.

A shared computer at a drop-in, a phone handed to someone else, a proxy between the
agency and the server: a page or API answer about a woman, once stored, outlives the
session that was allowed to read it. Every answer to a signed-in person (a page or the
API) says `Cache-Control: no-store`.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.api.tokens import issue_token
from doorway.conftest import World
from doorway.plans import actions as plans
from doorway.testing.signin import give_totp, signed_in

pytestmark = pytest.mark.django_db


def assert_not_stored(response: object, url: str) -> None:
    cache_control = getattr(response, "headers", {}).get("Cache-Control", "")
    assert "no-store" in cache_control, (url, cache_control)


def test_her_pages_are_not_stored_by_any_cache(client: Client, world: World) -> None:
    plans.save_service_plan(
        world.rosa_enrolment,
        by=world.alice,
        agreed_on=timezone.localdate(),
        her_words="A home of my own",
    )
    signed_in(client, world.alice)
    enrolment = world.rosa_enrolment
    urls = [
        reverse("participant_detail", args=[world.rosa.pk]),
        reverse("participant_edit", args=[world.rosa.pk]),
        reverse("participant_list"),
        reverse("enrolment_detail", args=[enrolment.pk]),
        reverse("plan_print", args=[enrolment.pk]),
        "/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_not_stored(response, url)


def test_a_refused_page_is_not_stored_either(client: Client, world: World) -> None:
    signed_in(client, world.bianca)
    url = reverse("participant_detail", args=[world.rosa.pk])
    response = client.get(url)
    assert response.status_code in {403, 404}
    assert_not_stored(response, url)


def test_api_records_are_not_stored_by_any_cache(world: World) -> None:
    give_totp(world.alice)  # a token needs her second factor
    _, secret = issue_token(world.alice, name="Test", scope="read", days=30)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    urls = [
        "/api/v1/participants/",
        f"/api/v1/participants/{world.rosa.pk}/",
        f"/api/v1/enrolments/{world.rosa_enrolment.pk}/",
        "/api/v1/contacts/",
        f"/api/v1/participants/{world.uma.pk}/",  # out of her reach: 404
    ]
    for url in urls:
        response = api.get(url)
        assert response.status_code in {200, 404}, url
        assert_not_stored(response, url)


def test_api_answers_to_a_browser_session_are_not_stored(world: World) -> None:
    api = APIClient()
    signed_in(api, world.alice)
    url = f"/api/v1/participants/{world.rosa.pk}/"
    response = api.get(url)
    assert response.status_code == 200
    assert_not_stored(response, url)

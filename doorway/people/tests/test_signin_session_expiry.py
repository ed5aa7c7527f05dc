"""An idle session ends; a session in use does not."""

from __future__ import annotations

import datetime

import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from doorway.testing.signin import give_totp, sign_in_client

START = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)
IDLE_LIMIT = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_a_session_idle_longer_than_the_limit_is_signed_out(client: Client, world) -> None:
    give_totp(world.alice)
    with time_machine.travel(START, tick=False) as traveller:
        sign_in_client(client, world.alice)
        assert client.get("/").status_code == 200
        traveller.shift(IDLE_LIMIT + datetime.timedelta(minutes=1))
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_session_in_use_stays_signed_in(client: Client, world) -> None:
    give_totp(world.alice)
    step = IDLE_LIMIT - datetime.timedelta(minutes=2)
    with time_machine.travel(START, tick=False) as traveller:
        sign_in_client(client, world.alice)
        for _ in range(4):  # well past the limit in total, never idle that long
            traveller.shift(step)
            assert client.get("/").status_code == 200


def test_the_idle_limit_is_thirty_minutes_by_default() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True

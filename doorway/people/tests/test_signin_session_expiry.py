"""An idle session ends; a session in use does not."""

from __future__ import annotations

import datetime

import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
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


def test_a_session_used_every_few_seconds_is_not_saved_on_every_request(
    client: Client, world
) -> None:
    """The floor of every signed-in page: the session (and allauth's record of it) is
    written when its idle expiry is a minute old, not on every request."""
    give_totp(world.alice)
    with time_machine.travel(START, tick=False) as traveller:
        sign_in_client(client, world.alice)
        client.get("/")
        traveller.shift(datetime.timedelta(seconds=5))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
        assert not [w for w in writes if "django_session" in w or "usersession" in w]
        traveller.shift(datetime.timedelta(seconds=61))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
        assert [w for w in writes if "django_session" in w]
        assert [w for w in writes if "usersession" in w]


def test_an_idle_session_ends_within_a_minute_of_the_limit_however_it_was_used(
    client: Client, world
) -> None:
    """Requests less than a minute apart do not push the expiry on; the limit counts from
    the last push, so she is signed out at most a minute early, never late."""
    give_totp(world.alice)
    with time_machine.travel(START, tick=False) as traveller:
        sign_in_client(client, world.alice)
        client.get("/")
        for _ in range(5):
            traveller.shift(datetime.timedelta(seconds=50))
            assert client.get("/").status_code == 200
        traveller.shift(IDLE_LIMIT + datetime.timedelta(seconds=1))
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_session_in_steady_use_is_written_at_most_once_a_minute(client: Client, world) -> None:
    """Her first page comes half a minute after signing in, then a page every 25 seconds
    for ten minutes: the session row is written at most once a minute, and allauth's
    record of her session as often, not once for the idle expiry and again, half a
    minute later, for the activity."""
    give_totp(world.alice)
    minutes = 10
    with time_machine.travel(START, tick=False) as traveller:
        sign_in_client(client, world.alice)
        traveller.shift(datetime.timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            for _ in range(minutes * 60 // 25):
                assert client.get("/tokens/").status_code == 200
                traveller.shift(datetime.timedelta(seconds=25))
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    sessions = [w for w in writes if "django_session" in w]
    activity = [w for w in writes if "usersession" in w]
    assert len(sessions) <= minutes + 1, f"{len(sessions)} session writes in {minutes} minutes"
    assert len(activity) <= minutes + 1, f"{len(activity)} activity writes in {minutes} minutes"

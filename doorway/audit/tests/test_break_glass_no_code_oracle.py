"""Breaking the glass answers a code of another agency exactly as a code that does not
exist, so the page tells an administrator nothing about who is in another agency's
programs, and opens nothing."""

from __future__ import annotations

import math
import re
import time

import pytest
import time_machine

from doorway.conftest import World
from doorway.people.models import BreakGlass
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

REASON = "She called the crisis line and her case manager cannot be reached tonight."


def _answer(client, code: str) -> tuple[int, str]:
    response = client.post("/audit/break-glass/", {"code": code, "reason": REASON})
    body = response.content.decode().replace(code, "CODE")
    # A fresh CSRF token is the one thing that may differ.
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    body = re.sub(r'"X-CSRFToken": "[^"]*"', "", body)
    return response.status_code, body


def test_another_agencys_code_answers_as_an_invented_one(client, world: World) -> None:
    signed_in(client, world.ada)
    invented = "EDH-ZZZZZZ"
    assert not type(world.vera).objects.filter(code=invented).exists()
    # The clock stands still, on a whole second, between the two answers: every page
    # carries how long she may stay idle, counted in whole seconds from when it was last
    # pushed on, and only what the code changes may differ.
    with time_machine.travel(math.ceil(time.time()), tick=False):
        assert _answer(client, world.vera.code) == _answer(client, invented)
    assert not BreakGlass.objects.exists()

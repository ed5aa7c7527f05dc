"""An administrator reads on /audit/ only the entries about her own agency: done by
one of her agency's staff, or about one of its staff accounts or participants. The
participant-code filter answers a code of another agency exactly as a code that does
not exist, so the page tells her nothing about who is in another agency's programs."""

from __future__ import annotations

import math
import re
import time

import pytest
import time_machine

from doorway.audit.log import record
from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def test_an_administrator_sees_no_entry_about_another_agencys_participant_or_staff(
    client, world: World
) -> None:
    record(Action.VIEW, actor=world.oscar, participant=world.vera, reason="oscar reads vera")
    record(Action.SIGN_IN, actor=world.olive, reason="olive signs in")
    record(Action.SIGN_IN_FAILED, subject=world.oscar, detail={"username": "oscar"})
    record(Action.VIEW, actor=world.alice, participant=world.rosa, reason="alice reads rosa")
    signed_in(client, world.ada)
    page = client.get("/audit/").content.decode()
    assert "alice reads rosa" in page
    assert "oscar reads vera" not in page
    assert "olive signs in" not in page
    assert world.vera.code not in page
    assert "oscar" not in page
    assert "olive" not in page
    # Filtering by their usernames finds nothing either.
    for username in ("oscar", "olive"):
        filtered = client.get("/audit/", {"staff": username}).content.decode()
        assert "oscar reads vera" not in filtered
        assert "olive signs in" not in filtered


def _answer(client, code: str) -> tuple[int, str]:
    response = client.get("/audit/", {"participant": code})
    body = response.content.decode()
    # The page echoes the code typed and carries a fresh CSRF token; the rest must match.
    body = body.replace(code, "CODE")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    body = re.sub(r"csrf[-_]?token[^>]*>", "", body, flags=re.IGNORECASE)
    return response.status_code, body


def test_another_agencys_participant_code_answers_as_an_invented_one(client, world: World) -> None:
    record(Action.VIEW, actor=world.oscar, participant=world.vera, reason="oscar reads vera")
    signed_in(client, world.ada)
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    invented = "EDH-ZZZZZZ"
    assert not type(world.vera).objects.filter(code=invented).exists()
    # The clock stands still, on a whole second, between the two answers: every page
    # carries how long she may stay idle, counted in whole seconds from when it was last
    # pushed on, and only what the code changes may differ.
    with time_machine.travel(math.ceil(time.time()), tick=False):
        status_b, body_b = _answer(client, world.vera.code)
        status_x, body_x = _answer(client, invented)
    assert (status_b, body_b) == (status_x, body_x)
    assert "oscar reads vera" not in body_b
    # Both lookups are on the log, neither naming another agency's participant.
    lookups = AuditEntry.objects.filter(pk__gt=last, action=Action.LIST, detail__log=True)
    assert lookups.count() == 2
    assert all(entry.participant_id == "" for entry in lookups)

"""The caseload says when its due dates were last computed, and says plainly when
that is more than a day ago (the daily pass may have stopped)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from doorway.caseload import tasks
from doorway.conftest import World
from doorway.testing.signin import signed_in

from .helpers import D0, TORONTO

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TORONTO)


def test_her_caseload_says_when_its_due_dates_were_computed(client, world: World) -> None:
    with time_machine.travel(at(D0, 3, 2), tick=False):
        tasks.refresh_everyone()
    with time_machine.travel(at(D0, 15), tick=False):
        page = signed_in(client, world.alice).get(reverse("caseload"))
    text = page.content.decode()
    assert "Due dates last computed 3 Mar 2025, 03:02." in text
    assert "out of date" not in text


def test_her_caseload_says_plainly_when_its_due_dates_are_more_than_a_day_old(
    client, world: World
) -> None:
    with time_machine.travel(at(D0, 3, 2), tick=False):
        tasks.refresh_everyone()
    with time_machine.travel(at(D0 + 3 * DAY, 9), tick=False):
        page = signed_in(client, world.alice).get(reverse("caseload"))
    text = " ".join(page.content.decode().split())
    assert "These due dates were last computed 3 days, 5 hours ago (3 Mar 2025, 03:02)" in text
    assert "more than a day ago, so some may be out of date" in text


def test_a_caseload_never_computed_in_full_says_so(client, world: World) -> None:
    page = signed_in(client, world.alice).get(reverse("caseload"))
    assert "These due dates have not yet been computed in full" in page.content.decode()


def test_the_overview_says_when_due_dates_are_more_than_a_day_old(client, world: World) -> None:
    with time_machine.travel(at(D0, 3, 2), tick=False):
        tasks.refresh_everyone()
    with time_machine.travel(at(D0 + 2 * DAY, 9), tick=False):
        page = signed_in(client, world.morgan).get(reverse("caseload_overview"))
    assert "so some may be out of date" in page.content.decode()

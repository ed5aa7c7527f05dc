"""On a phone, the urgent work first: an active woman's missed contact is the first
card, in the first screenful, however many old closing notes are unwritten."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from doorway.caseload import refresh
from doorway.caseload.models import DuePass
from doorway.conftest import World
from doorway.enrolments.models import ExitReason
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

from .helpers import enrol, phases

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

DAY = datetime.timedelta(days=1)


def test_the_missed_contact_is_the_first_card_on_a_phone(
    phone_page: Page, live_url: str, world: World
) -> None:
    today = timezone.localdate()
    p = phases(world)
    missed = enrol(world, phase=p[1], started_on=today - 12 * DAY)
    # Graduated years ago, closing notes never written: more "overdue" than anything.
    gone = [
        enrol(
            world,
            phase=p[3],
            started_on=today - (days + 300) * DAY,
            exit_reason=ExitReason.GRADUATED,
            exited_on=today - days * DAY,
        )
        for days in range(700, 3000, 200)
    ]
    written = refresh.refresh([missed.pk, *(e.pk for e in gone)])
    # As the daily pass would have: the page's "not yet computed in full" warning, true
    # of this partial refresh, is not what a worker sees when the background work runs.
    DuePass.objects.create(items=written)
    secret = give_totp(world.alice)
    sign_in_browser(phone_page, live_url, "alice", DEFAULT_PASSWORD, secret)
    phone_page.goto(f"{live_url}/caseload/")
    first = phone_page.locator(".caseload-card").first
    expect(first).to_contain_text(missed.participant.code)
    expect(first).to_contain_text("Contact overdue 5 days")
    expect(phone_page.locator(".caseload-group h2").first).to_contain_text(
        "Missed contacts and safety"
    )
    box = first.bounding_box()
    assert box is not None
    viewport = phone_page.viewport_size
    assert viewport is not None
    assert viewport["width"] == 390
    # In the first screenful, without scrolling.
    assert box["y"] + box["height"] <= viewport["height"]
    for enrolment in gone:
        expect(phone_page.get_by_text(enrolment.participant.code)).to_have_count(0)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

"""On a phone: a case manager opens her caseload from the home page and reads what is
due as cards, most overdue first."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from doorway.caseload import refresh
from doorway.conftest import World
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

from .helpers import enrol, phases

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("transactional_db", "only_caseload_rules"),
]


def test_a_case_manager_reads_her_caseload_on_a_phone(
    phone_page: Page, live_url: str, world: World
) -> None:
    today = timezone.localdate()
    late = enrol(world, phase=phases(world)[1], started_on=today - datetime.timedelta(days=16))
    refresh.refresh_everyone()
    secret = give_totp(world.alice)
    sign_in_browser(phone_page, live_url, "alice", DEFAULT_PASSWORD, secret)
    phone_page.goto(f"{live_url}/")
    phone_page.get_by_role("link", name="Who needs you this week").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    first = phone_page.locator(".caseload-card").first
    expect(first).to_contain_text(late.participant.code)
    expect(first).to_contain_text("Contact overdue 9 days")
    # Cards, not a wide table: nothing wider than the phone.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    first.locator("a.fw-semibold").click()
    expect(phone_page).to_have_url(f"{live_url}/enrolments/{late.pk}/")

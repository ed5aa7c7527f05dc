"""On a phone, in the street: a peer mentor records an outreach contact."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from doorway.casework.models import OutreachContact
from doorway.conftest import World
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_peer_mentor_records_an_outreach_contact_on_her_phone(
    phone_page: Page, live_url: str, world: World
) -> None:
    page = phone_page
    secret = give_totp(world.pat)
    sign_in_browser(page, live_url, "pat", DEFAULT_PASSWORD, secret)

    page.goto(f"{live_url}/outreach/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outreach: Exit Doors Here")
    page.get_by_role("link", name="Record outreach").click()

    page.get_by_label("Street outreach").check()
    page.get_by_label("Place").fill("East-end stroll")
    page.get_by_label("Number of women reached").fill("0")
    page.get_by_role("button", name="Record the outreach").click()
    # Refused next to the field, and what was typed is kept.
    expect(page.locator("#outreach_women_reached-errors")).to_be_visible()
    expect(page.get_by_label("Place")).to_have_value("East-end stroll")

    page.get_by_label("Number of women reached").fill("3")
    page.get_by_label("Hygiene kit").check()
    page.get_by_label("Information card").check()
    page.get_by_label("Women who asked to be referred").fill("1")
    page.get_by_label("Nickname").fill("Sunny")
    page.get_by_role("button", name="Record the outreach").click()

    expect(page.get_by_role("status")).to_contain_text("The outreach contact was recorded.")
    log = page.locator("#outreach-log")
    expect(log).to_contain_text("East-end stroll")
    expect(log).to_contain_text("Sunny")
    expect(page.locator("#summary-women")).to_have_text("3")
    contact = OutreachContact.objects.get()
    assert (contact.women_reached, contact.referrals_in, contact.recorded_by_id) == (
        3,
        1,
        world.pat.pk,
    )

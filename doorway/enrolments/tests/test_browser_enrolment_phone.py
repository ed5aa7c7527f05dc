"""On a phone (390 px wide): "Record a contact" is in the first screenful of the
enrolment page, with her name; the phase move is folded away."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from doorway.conftest import World
from doorway.people.models import Consent
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_record_a_contact_is_in_the_first_screenful_and_the_move_is_folded(
    phone_page: Page, live_url: str, world: World
) -> None:
    # Without consent the page has the most to say (the consent form, the moves it blocks).
    Consent.objects.filter(participant=world.rosa).delete()
    secret = give_totp(world.alice)
    sign_in_browser(phone_page, live_url, "alice", DEFAULT_PASSWORD, secret)
    phone_page.goto(live_url + reverse("enrolment_detail", args=[world.rosa_enrolment.pk]))

    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("Rosa")
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text(world.rosa.code)
    record = phone_page.get_by_role("link", name="Record a contact").first
    expect(record).to_be_visible()
    box = record.bounding_box()
    assert box is not None
    height = phone_page.viewport_size["height"] if phone_page.viewport_size else 844
    # Whole, inside the first viewport, without scrolling.
    assert phone_page.evaluate("window.scrollY") == 0
    assert box["y"] + box["height"] <= height, box
    # The move's choices are folded: none of them shows until it is opened.
    expect(phone_page.locator("#move-details")).not_to_have_attribute("open", "")
    expect(phone_page.get_by_label("Exit: Deceased")).to_be_hidden()

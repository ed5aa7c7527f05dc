"""The quick exit in Chromium: the button and Escape twice leave for the neutral page,
sign her out, and going back shows nothing of what she was reading."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.people.models import User
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

NEUTRAL = re.compile(r"/leave/$")


def wait_until_signed_out(user: User) -> None:
    """The beacon travels beside the page's own request: wait until it has landed."""
    deadline = time.monotonic() + 10
    while not AuditEntry.objects.filter(action=Action.SIGN_OUT, actor_id=user.pk).exists():
        assert time.monotonic() < deadline, "the quick exit did not sign her out"
        time.sleep(0.1)


def open_her_page(page: Page, live_url: str, world: World) -> None:
    sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, give_totp(world.alice))
    page.goto(live_url + reverse("home"))
    page.goto(live_url + reverse("participant_detail", args=[world.rosa.pk]))
    expect(page.locator("main")).to_contain_text("Rosa")


def assert_nothing_of_her_behind(page: Page) -> None:
    page.go_back()
    page.wait_for_load_state()
    assert "/participants/" not in page.url.split("?")[0]
    expect(page.locator("input[name=password]")).to_be_visible()
    assert "Rosa" not in page.content()


def test_the_button_leaves_signs_her_out_and_keeps_her_page_out_of_the_history(
    page: Page, live_url: str, world: World
) -> None:
    open_her_page(page, live_url, world)
    page.get_by_role("button", name="Quick exit").click()
    expect(page).to_have_url(NEUTRAL)
    expect(page).to_have_title("Weather")
    assert "Rosa" not in page.content()
    wait_until_signed_out(world.alice)
    assert_nothing_of_her_behind(page)


def test_escape_twice_leaves_and_signs_her_out(page: Page, live_url: str, world: World) -> None:
    open_her_page(page, live_url, world)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(page).to_have_url(NEUTRAL)
    wait_until_signed_out(world.alice)
    assert_nothing_of_her_behind(page)


def test_escape_pressed_once_then_again_later_stays(
    page: Page, live_url: str, world: World
) -> None:
    open_her_page(page, live_url, world)
    here = page.url
    page.keyboard.press("Escape")
    page.wait_for_timeout(1300)  # longer than the second the two presses must fall within
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.url == here
    assert not AuditEntry.objects.filter(action=Action.SIGN_OUT).exists()


def test_on_a_phone_the_button_is_in_sight_without_opening_the_menu(
    phone_page: Page, live_url: str, world: World
) -> None:
    sign_in_browser(phone_page, live_url, "alice", DEFAULT_PASSWORD, give_totp(world.alice))
    phone_page.goto(live_url + reverse("home"))
    button = phone_page.get_by_role("button", name="Quick exit")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None
    # In the top corner, and big enough for a thumb.
    assert box["y"] + box["height"] <= 120
    assert box["x"] + box["width"] > 390 / 2
    assert box["height"] >= 44
    assert box["width"] >= 44
    button.tap()
    expect(phone_page).to_have_url(NEUTRAL)


def test_the_sign_in_page_has_the_quick_exit_too(page: Page, live_url: str) -> None:
    page.goto(live_url + reverse("account_login"))
    page.get_by_role("button", name="Quick exit").click()
    expect(page).to_have_url(NEUTRAL)

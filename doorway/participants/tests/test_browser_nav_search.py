"""In a browser, on a phone and at a desk: the search box in the navigation finds her
from the first letters of her name, and what was typed never reaches the address."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from doorway.conftest import World
from doorway.testing.browser import sign_in_context

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def find_from_the_navigation(page: Page, live_url: str, world: World) -> None:
    sign_in_context(page.context, live_url, world.alice)
    # The live server's first answer (imports, templates) can be slow on a busy machine.
    page.goto(f"{live_url}/dropins/", timeout=60_000)
    toggler = page.get_by_role("button", name="Menu")
    if toggler.is_visible():
        toggler.click()
    box = page.get_by_role("search", name="Participant search")
    box.get_by_label("Find a participant by code or name").fill("Ros")
    box.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Participants")
    expect(page.locator("#participant-results")).to_contain_text(world.rosa.code)
    assert "Ros" not in page.url
    assert page.url.rstrip("/").endswith("/participants")


def test_at_a_desk(page: Page, live_url: str, world: World) -> None:
    find_from_the_navigation(page, live_url, world)


def test_on_a_phone(phone_page: Page, live_url: str, world: World) -> None:
    find_from_the_navigation(phone_page, live_url, world)

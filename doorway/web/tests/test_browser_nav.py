"""The header in Chromium: each role's menu fits one line of a 1,280 px screen, and its
links and buttons are big enough to tap."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from doorway.conftest import World
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

# One line: a 44 px button and the bar's padding (two lines measured 137 px before the
# "More" menu, for the program manager).
ONE_LINE = 72

HEADER = """() => {
  const nav = document.querySelector("nav.navbar");
  const shown = (el) => el.offsetParent !== null && el.getBoundingClientRect().width > 0;
  const size = (el) => {
    const box = el.getBoundingClientRect();
    return { what: (el.textContent || el.getAttribute("aria-label") || el.name || "").trim(),
             width: box.width, height: box.height };
  };
  return {
    height: nav.getBoundingClientRect().height,
    targets: [...nav.querySelectorAll("a, button, input")].filter(shown).map(size),
  };
}"""


def signed_in_as(page: Page, live_url: str, world: World, who: str, language: str = "") -> None:
    user = world.staff()[who]
    # The demo's longest name.
    user.first_name, user.last_name = "Morgan", "Okafor-Reyes"
    user.language = language
    user.save()
    sign_in_browser(page, live_url, who, DEFAULT_PASSWORD, give_totp(user))
    page.goto(live_url + reverse("home"))


def too_small(targets: list[dict[str, Any]], least: float) -> list[dict[str, Any]]:
    return [t for t in targets if t["height"] < least or t["width"] < least]


@pytest.mark.parametrize("language", ["", "fr-ca"])
@pytest.mark.parametrize("who", ["morgan", "alice", "pat", "eve", "ada"])
def test_each_roles_menu_fits_one_line_at_1280(
    page: Page, live_url: str, world: World, who: str, language: str
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    signed_in_as(page, live_url, world, who, language)
    header = page.evaluate(HEADER)
    assert header["height"] <= ONE_LINE, header
    # WCAG 2.2's least target size.
    assert too_small(header["targets"], 24) == []


def test_on_a_phone_every_target_of_the_open_menu_takes_a_thumb(
    phone_page: Page, live_url: str, world: World
) -> None:
    signed_in_as(phone_page, live_url, world, "morgan")
    phone_page.get_by_role("button", name="Menu").tap()
    phone_page.get_by_role("button", name="More").tap()
    phone_page.get_by_role("button", name="your account").tap()
    header = phone_page.evaluate(HEADER)
    assert too_small(header["targets"], 44) == []
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


def test_what_moved_under_more_is_a_tap_away(page: Page, live_url: str, world: World) -> None:
    signed_in_as(page, live_url, world, "morgan")
    page.get_by_role("button", name="More").click()
    page.get_by_role("link", name="Program setup").click()
    page.wait_for_url(re.compile(r"/programs/"))
    page.get_by_role("button", name="your account").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")


@pytest.mark.parametrize("language", ["", "fr-ca"])
def test_on_a_phone_the_quick_exit_and_the_menu_button_share_the_top_row(
    phone_page: Page, live_url: str, world: World, language: str
) -> None:
    signed_in_as(phone_page, live_url, world, "morgan", language)
    name = "Sortie rapide" if language else "Quick exit"
    exit_box = phone_page.get_by_role("button", name=name).bounding_box()
    menu_box = phone_page.locator(".navbar-toggler").bounding_box()
    assert exit_box is not None
    assert menu_box is not None
    assert (
        abs((exit_box["y"] + exit_box["height"] / 2) - (menu_box["y"] + menu_box["height"] / 2)) < 8
    )

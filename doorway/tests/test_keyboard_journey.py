"""A case manager's morning with the keyboard alone: sign in, record a contact (after a
refused first try), take attendance at a drop-in. Only Tab, Shift+Tab, Enter, Space, the
arrow keys and typing: no clicks, no filling fields from outside. Every element the
focus lands on shows it (a ring of at least 2 px, or a shadow).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from doorway.conftest import World
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

# How the focused element shows it; an element with neither is invisible to her.
FOCUS_SHOWN = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) {
        return "nothing focused";
    }
    // In a date field the focus may sit on one of Chromium's own parts of it (the day,
    // the month, the year: highlighted by the browser), and the field itself then matches
    // neither :focus nor :focus-visible, so its ring is not drawn; the part's highlight is.
    const dateField = element.matches("input[type=date], input[type=time]");
    if (dateField && !element.matches(":focus")) {
        return "";
    }
    const style = getComputedStyle(element);
    const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    const shadow = style.boxShadow && style.boxShadow !== "none";
    if (ring || shadow) {
        return "";
    }
    return `${element.tagName.toLowerCase()} ${element.id || element.className || ""}`.trim();
}"""


def is_focused(locator: Locator) -> bool:
    return bool(locator.evaluate("(element) => element === document.activeElement"))


def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until the focus is on `target`, checking the focus shows at each stop."""
    expect(target).to_be_attached()
    hidden: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if problem := page.evaluate(FOCUS_SHOWN):
            hidden.append(problem)
        if is_focused(target):
            assert not hidden, f"focus not visible on: {hidden}"
            return
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


def test_a_case_manager_signs_in_records_a_contact_and_takes_attendance_by_keyboard(
    page: Page, live_url: str, world: World
) -> None:
    secret = give_totp(world.alice)

    # Signing in: her name, her password, Enter; then the code from her app, Enter.
    page.goto(live_url + reverse("account_login"))
    tab_to(page, page.locator("input[name=login]"))
    page.keyboard.type("alice")
    tab_to(page, page.locator("input[name=password]"))
    page.keyboard.type(DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, page.locator("input[name=code]"))
    page.keyboard.type(totp_code(secret))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))

    # Rosa's enrolment, from the bookmark in her browser.
    page.goto(live_url + reverse("enrolment_detail", args=[world.rosa_enrolment.pk]))
    tab_to(page, page.get_by_role("link", name="Record a contact").first)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Sent without its kind or its note: refused, and the summary of what to fix has the
    # focus; its first link takes her to the field.
    tab_to(page, page.get_by_label("Duration (minutes)"))
    page.keyboard.type("30")
    tab_to(page, page.get_by_role("button", name="Record the contact"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("link", name=re.compile("^Kind of contact"))).to_be_visible()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    kind = page.get_by_label("Kind of contact")
    expect(kind).to_be_focused()
    expect(kind).to_have_attribute("aria-invalid", "true")

    # Her choice by the arrow keys, then the note, then Enter on the button.
    page.keyboard.press("ArrowDown")
    expect(kind).not_to_have_value("")
    tab_to(page, page.get_by_label("Case note"))
    page.keyboard.type("Talked through her week; she is sleeping better.")
    tab_to(page, page.get_by_role("button", name="Record the contact"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("The contact was recorded.")

    # The afternoon's drop-in: start it and mark Rosa here with the space bar.
    page.goto(live_url + reverse("session_list"))
    tab_to(page, page.get_by_role("link", name="Start a session"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Weekly drop-in"))
    page.keyboard.press("Space")
    expect(page.get_by_label("Weekly drop-in")).to_be_checked()
    tab_to(page, page.get_by_label("Topic"))
    page.keyboard.type("Tenant rights")
    tab_to(page, page.get_by_role("button", name="Start and take attendance"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    rosa = page.get_by_role("button", name=re.compile(r"^Rosa "))
    tab_to(page, rosa)
    with page.expect_response(lambda answer: "/mark/" in answer.url):
        page.keyboard.press("Space")
    expect(rosa).to_have_attribute("aria-pressed", "true")
    expect(rosa).to_contain_text("Here")
    # The answer replaced her button: the focus is still on it, not back at the top.
    expect(rosa).to_be_focused()

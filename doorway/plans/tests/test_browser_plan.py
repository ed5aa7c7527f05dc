"""In a real browser on a phone-sized window: a case manager agrees Rosa's plan, sets
the phase plan, adds two goals and a step, and opens the printable copy."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from doorway.conftest import World
from doorway.plans.models import Goal
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_case_manager_makes_a_plan_with_two_goals_on_her_phone(
    phone_page: Page, live_url: str, world: World
) -> None:
    page = phone_page
    secret = give_totp(world.alice)
    sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, secret)
    page.goto(f"{live_url}/enrolments/{world.rosa_enrolment.pk}/")
    # Asked once, among the next actions at the top: straight to the agreement.
    page.locator("#next-actions").get_by_role("link", name="Agree her plan").click()
    page.get_by_label("What she wants, in her own words").fill("A safe home and a job")
    page.get_by_label("Private worker notes").fill("Not for her copy")
    page.get_by_role("button", name="Save her plan").click()
    expect(page.get_by_role("status")).to_contain_text("Her plan was saved.")

    page.get_by_role("link", name="Set the phase plan").click()
    page.get_by_label("Accommodation").check()
    page.get_by_label("Money").check()
    page.get_by_role("button", name="Save the phase plan").click()
    expect(page.locator("#phase-focus-areas")).to_contain_text("Accommodation")

    for area, words in (
        ("Accommodation", "Move into my own place"),
        ("Money", "Open a bank account"),
    ):
        page.get_by_role("link", name="Add a goal").click()
        page.get_by_label("Focus area").select_option(label=area)
        page.get_by_label("The goal, in her words").fill(words)
        page.get_by_role("button", name="Save the goal").click()
        expect(page.locator("#goal-list")).to_contain_text(words)

    page.get_by_role("link", name="Add a step").first.click()
    page.get_by_label("The step").fill("Fill in the housing form")
    page.get_by_role("button", name="Save the step").click()
    expect(page.locator("#goal-list")).to_contain_text("Fill in the housing form")
    assert Goal.objects.filter(plan__enrolment=world.rosa_enrolment).count() == 2

    page.get_by_role("link", name="Printable plan for her").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("My plan: Rosa")
    expect(page.locator("main")).to_contain_text("Open a bank account")
    expect(page.locator("main")).not_to_contain_text("Not for her copy")

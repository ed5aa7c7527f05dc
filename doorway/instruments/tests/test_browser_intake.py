"""On a phone: a case manager fills in the intake assessment and records the
eligibility it computed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from doorway.conftest import World
from doorway.instruments import exit_doors_here
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_case_manager_fills_in_the_intake_assessment_on_a_phone(
    phone_page: Page, live_url: str, world: World
) -> None:
    page = phone_page
    exit_doors_here.install(world.program)
    secret = give_totp(world.alice)
    sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, secret)
    page.goto(f"{live_url}/enrolments/{world.rosa_enrolment.pk}/")
    page.get_by_role("link", name="Start an assessment").click()
    page.get_by_role("button", name="Fill in the intake assessment").click()

    def item(code: str):
        return page.locator(f'[data-item="{code}"]')

    item("identifies_as_woman").get_by_label("Yes").check()
    item("wants_to_leave").get_by_label("Yes").check()
    item("presenting_issues").get_by_label("Housing").check()
    item("risk_factors").get_by_label("Homeless or at risk of it").check()
    # Saved without the stage of change: refused, what was chosen kept.
    page.get_by_role("button", name="Save the intake assessment").click()
    expect(item("readiness_stage")).to_contain_text("This question needs an answer.")
    expect(item("risk_factors").get_by_label("Homeless or at risk of it")).to_be_checked()

    item("risk_factors").get_by_label("Unsafe because of an abuser").check()
    item("sex_work_involvement").get_by_label("Often").check()
    item("readiness_stage").get_by_label(re.compile("^Preparation")).check()
    page.get_by_role("button", name="Save the intake assessment").click()

    eligibility = page.locator("#eligibility")
    expect(eligibility).to_contain_text("Eligible for Exit Doors Here: Yes")
    expect(eligibility).to_contain_text("At least two of the seven risk factors")
    eligibility.get_by_role("button", name=re.compile("Record as her eligibility")).click()
    expect(page.get_by_role("status")).to_contain_text("eligibility decision was recorded")
    expect(page.locator("#assessment-list")).to_contain_text("Intake assessment")
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.eligibility == "eligible"

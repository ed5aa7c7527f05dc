"""In a real browser, under the strict CSP: the evaluation's outcomes page draws its
charts (those folded under "Details" too), and her case manager sees her ratings as a
star chart. The browser plugin fails the test on any CSP violation."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from doorway.conftest import World
from doorway.instruments.demo import record_journey
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

DRAWN = "[...document.querySelectorAll('canvas[data-chart]')].map(c => !!Chart.getChart(c))"


def rate_rosa(world: World) -> None:
    today = timezone.localdate()
    record_journey(
        world.rosa_enrolment,
        {"accommodation": 2, "money": 3, "support-networks": 4, "work-and-learning": 1},
        on=today - datetime.timedelta(days=20),
    )
    record_journey(
        world.rosa_enrolment,
        {"accommodation": 5, "money": 4, "support-networks": 4, "work-and-learning": 3},
        on=today,
        timepoint="phase_change",
    )


def test_the_evaluation_page_draws_its_charts(
    page: Page, live_url: str, world: World, any_cohort_size: None
) -> None:
    rate_rosa(world)
    secret = give_totp(world.eve)
    sign_in_browser(page, live_url, "eve", DEFAULT_PASSWORD, secret)
    page.goto(f"{live_url}/evaluation/{world.program.slug}/outcomes/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluation")
    expect(page.locator("#progress canvas")).to_be_visible()
    # The charts are drawn once the page's script has run: wait for every one.
    page.wait_for_function(f"typeof window.Chart !== 'undefined' && {DRAWN}.every(Boolean)")
    drawn = page.evaluate(DRAWN)
    assert drawn
    assert all(drawn)
    expect(page.locator("#progress table")).to_contain_text("Accommodation")


def test_her_case_manager_sees_the_star_chart(page: Page, live_url: str, world: World) -> None:
    rate_rosa(world)
    secret = give_totp(world.alice)
    sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, secret)
    page.goto(f"{live_url}/enrolments/{world.rosa_enrolment.pk}/")
    section = page.locator("#ratings-chart")
    expect(section.get_by_role("heading", name="Her ratings over time")).to_be_visible()
    page.wait_for_function(
        "typeof window.Chart !== 'undefined'"
        " && !!Chart.getChart(document.querySelector('#ratings-chart canvas'))"
    )
    kind = page.evaluate(
        "Chart.getChart(document.querySelector('#ratings-chart canvas')).config.type"
    )
    assert kind == "radar"

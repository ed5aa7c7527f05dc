"""In a real browser: the evaluation's overview is short, on a desk and on a phone (the
page it replaced, every chart and table at once, measured 13,761 px tall on a desk and
19,027 on a phone on the demo; the overview on the demo, its ten focus areas, measured
919 and 1,937 px for the program manager); the statistics on the outcomes page are
folded until opened, and the charts folded with them are drawn once opened."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from doorway.conftest import World
from doorway.enrolments.models import Enrolment
from doorway.instruments.demo import record_journey
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

# Well under the old page's 13,761 (desk) and 19,027 (phone).
TALLEST = {"desk": 4000, "phone": 4000}
HEIGHT = "document.documentElement.scrollHeight"


def rate_everyone(world: World) -> None:
    """Baseline and later ratings in every focus area for the world's women, so that
    each area has a line of its own and the outcomes page its charts."""
    today = timezone.localdate()
    areas = [a.slug for a in world.program.active_focus_areas()]
    enrolments = Enrolment.objects.filter(cycle__program=world.program)
    for n, enrolment in enumerate(enrolments):
        record_journey(
            enrolment,
            {slug: 2 + (i + n) % 4 for i, slug in enumerate(areas)},
            on=today - datetime.timedelta(days=20),
        )
        record_journey(
            enrolment,
            {slug: 3 + (i * n) % 6 for i, slug in enumerate(areas)},
            on=today,
            timepoint="phase_change",
        )


def open_overview(page: Page, live_url: str, world: World) -> None:
    sign_in_browser(page, live_url, "morgan", DEFAULT_PASSWORD, give_totp(world.morgan))
    page.goto(f"{live_url}/evaluation/{world.program.slug}/")
    expect(page.locator("#answer")).to_be_visible()


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_the_overview_is_short_and_answers_first(
    page: Page, phone_page: Page, live_url: str, world: World, size: str
) -> None:
    rate_everyone(world)
    browser_page = page if size == "desk" else phone_page
    open_overview(browser_page, live_url, world)
    headlines = browser_page.locator("#headlines li")
    assert headlines.count() == world.program.active_focus_areas().count()
    # The answer is on the first screen: its first line is within the window's height.
    first = headlines.first.bounding_box()
    window = browser_page.viewport_size
    assert first is not None
    assert window is not None
    assert first["y"] + first["height"] <= window["height"]
    height = browser_page.evaluate(HEIGHT)
    content = browser_page.evaluate("Math.ceil(document.body.getBoundingClientRect().height)")
    # Read with -s: the page's height (never less than the window's) and its content's.
    print(f"evaluation overview, {size}: {height} px, content {content} px")
    assert height < TALLEST[size]


def test_the_statistics_are_folded_until_opened(page: Page, live_url: str, world: World) -> None:
    rate_everyone(world)
    open_overview(page, live_url, world)
    page.get_by_role("link", name="Outcomes", exact=True).click()
    page.wait_for_url(f"**/evaluation/{world.program.slug}/outcomes/")
    assert page.evaluate("[...document.querySelectorAll('details')].some(d => d.open)") is False
    statistics = page.locator("#progress-details table")
    expect(statistics).to_be_hidden()
    expect(page.locator("#distributions-details canvas").first).to_be_hidden()
    height = page.evaluate(HEIGHT)
    print(f"evaluation outcomes, desk, folded: {height} px")
    page.locator("#progress-details summary").click()
    expect(statistics).to_be_visible()
    expect(statistics).to_contain_text("Wilcoxon signed-rank")
    # The charts folded away are drawn when opened, at their full size.
    page.locator("#distributions-details summary").click()
    chart = page.locator("#distributions-details canvas").first
    expect(chart).to_be_visible()
    page.wait_for_function(
        "typeof window.Chart !== 'undefined' && !!Chart.getChart("
        "document.querySelector('#distributions-details canvas'))"
        " && document.querySelector('#distributions-details canvas').clientHeight > 50"
    )


def test_the_manager_asks_for_the_figures_to_be_counted_again(
    page: Page, live_url: str, world: World
) -> None:
    from doorway.evaluation.models import ReportSnapshot

    rate_everyone(world)
    open_overview(page, live_url, world)
    expect(page.locator("#figures-as-of")).to_contain_text("Figures as of")
    # Counted two minutes ago: she may ask for it again (not within a minute).
    ReportSnapshot.objects.update(taken_at=timezone.now() - datetime.timedelta(minutes=2))
    page.get_by_role("button", name="Count again now").click()
    page.wait_for_url(f"**/evaluation/{world.program.slug}/")
    expect(page.get_by_role("alert").or_(page.locator(".alert"))).to_contain_text(
        "being counted again"
    )
    # The tests' task backend counted it at once.
    assert timezone.now() - ReportSnapshot.objects.get().taken_at < datetime.timedelta(minutes=1)

"""In a phone-sized browser: a peer mentor opens a drop-in and takes attendance by
tapping names (HTMX, under the strict CSP), then counts a walk-in without a record."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from doorway.conftest import World
from doorway.dropins.actions import start_session
from doorway.dropins.models import Attendance, GroupSession
from doorway.testing.factories import EnrolmentFactory, ParticipantFactory
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_case_manager_takes_attendance_by_tapping_names(
    phone_page: Page, live_url: str, world: World
) -> None:
    nina = ParticipantFactory(preferred_name="Nina", agency=world.agency, registered_by=world.alice)
    EnrolmentFactory(participant=nina, cycle=world.rosa_enrolment.cycle, case_manager=world.alice)
    secret = give_totp(world.alice)
    sign_in_browser(phone_page, live_url, "alice", DEFAULT_PASSWORD, secret)

    phone_page.goto(f"{live_url}/dropins/")
    phone_page.get_by_role("link", name="Start a session").click()
    phone_page.get_by_label("Topic").fill("Budgeting basics")
    phone_page.get_by_role("button", name="Start and take attendance").click()
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("Weekly drop-in")

    rosa = phone_page.get_by_role("button", name="Rosa")
    nina_button = phone_page.get_by_role("button", name="Nina")
    expect(rosa).to_have_attribute("aria-pressed", "false")
    rosa.click()
    expect(phone_page.get_by_role("button", name="Rosa")).to_have_attribute("aria-pressed", "true")
    nina_button.click()
    expect(phone_page.get_by_role("button", name="Nina")).to_have_attribute("aria-pressed", "true")
    expect(phone_page.locator("#present-count")).to_contain_text("2 here")
    # A second tap takes the mark back.
    phone_page.get_by_role("button", name="Nina").click()
    expect(phone_page.get_by_role("button", name="Nina")).to_have_attribute("aria-pressed", "false")
    expect(phone_page.locator("#present-count")).to_contain_text("1 here")
    phone_page.get_by_role("button", name="+1 walk-in").click()
    expect(phone_page.locator("#anonymous-count")).to_have_text("1")
    expect(phone_page.locator("#present-count")).to_contain_text("2 here")
    # The buttons are big enough for a thumb.
    box = phone_page.get_by_role("button", name="Rosa").bounding_box()
    assert box is not None
    assert box["height"] >= 44
    assert box["width"] > 300

    session = GroupSession.objects.get()
    assert session.topic == "Budgeting basics"
    assert session.held_on == timezone.localdate()
    assert list(Attendance.objects.values_list("enrolment_id", flat=True)) == [
        world.rosa_enrolment.pk
    ]
    assert session.anonymous_walk_ins == 1


def test_the_tap_works_without_javascript_too(browser, live_url: str, world: World) -> None:
    session = start_session(
        world.program, by=world.alice, kind="drop_in", held_on=timezone.localdate()
    )
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        secret = give_totp(world.alice)
        sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, secret)
        page.goto(f"{live_url}/dropins/{session.pk}/")
        page.get_by_role("button", name="Rosa").click()
        expect(page.get_by_role("button", name="Rosa")).to_have_attribute("aria-pressed", "true")
    finally:
        context.close()
    assert Attendance.objects.get().enrolment == world.rosa_enrolment

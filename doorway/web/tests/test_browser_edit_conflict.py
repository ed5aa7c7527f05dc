"""On a phone: a case manager saves a goal a teammate changed while her form was open.
She is told, in plain words; what she typed is still there; their change is shown."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from doorway.concurrency import STALE_MESSAGE
from doorway.conftest import World
from doorway.plans import actions as plans
from doorway.plans.models import Goal
from doorway.programs.models import FocusArea
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_save_over_a_teammates_change_is_refused_and_her_words_are_kept_on_a_phone(
    phone_page: Page, live_url: str, world: World
) -> None:
    from django.utils import timezone

    plans.save_service_plan(
        world.rosa_enrolment,
        by=world.alice,
        agreed_on=timezone.localdate(),
        her_words="A home of my own",
    )
    area = FocusArea.objects.filter(program=world.program).first()
    goal = plans.add_goal(
        world.rosa_enrolment, by=world.alice, focus_area=area, her_words="Find a flat"
    )
    sign_in_browser(phone_page, live_url, "alice", DEFAULT_PASSWORD, give_totp(world.alice))
    phone_page.goto(f"{live_url}/enrolments/{world.rosa_enrolment.pk}/plan/goals/{goal.pk}/edit/")
    words = phone_page.get_by_label("The goal, in her words")
    words.fill("Find a flat near her sister")

    # Meanwhile Amira, on her own phone, changes the same goal.
    plans.edit_goal(
        Goal.objects.get(pk=goal.pk),
        by=world.amira,
        focus_area=area,
        her_words="Find a flat with a garden",
        target_on=None,
    )

    phone_page.get_by_role("button", name="Save the goal").click()
    expect(phone_page.get_by_role("alert")).to_contain_text(STALE_MESSAGE)
    expect(phone_page.get_by_label("The goal, in her words")).to_have_value(
        "Find a flat near her sister"
    )
    expect(phone_page.locator(".stale-theirs")).to_contain_text("Find a flat with a garden")
    assert Goal.objects.get(pk=goal.pk).her_words == "Find a flat with a garden"
    # Nothing wider than the phone.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

    # Having read theirs, she saves hers on purpose.
    phone_page.get_by_role("button", name="Save the goal").click()
    expect(phone_page.get_by_text("The goal was saved.")).to_be_visible()
    assert Goal.objects.get(pk=goal.pk).her_words == "Find a flat near her sister"

"""In a real browser: her case manager finds the overdue safe-contact check on her
caseload, opens the woman's page from the card, reads the instructions beside "Record a
contact", confirms them with her, and the check leaves the overdue list."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from doorway.caseload import refresh
from doorway.caseload.safe_contact import safe_contact_check_due
from doorway.conftest import World
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

from .conftest import OWN_RULES
from .helpers import enrol, phases

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("transactional_db", "cadence_and_safe_contact"),
]

INSTRUCTIONS = "Text only after 6 pm; never leave a voicemail."


@pytest.fixture
def cadence_and_safe_contact(monkeypatch):
    """The caseload's cadence rules and this one, as in test_safe_contact_due."""
    monkeypatch.setattr(refresh, "RULES", [*OWN_RULES, safe_contact_check_due])


def test_a_case_manager_confirms_stale_instructions_from_her_caseload(
    page: Page, live_url: str, world: World
) -> None:
    today = timezone.localdate()
    # In the pre-phase (no contact cadence): the check is the only thing overdue.
    enrolment = enrol(world, phase=phases(world)[0], started_on=today - datetime.timedelta(days=5))
    her = enrolment.participant
    her.safe_contact = INSTRUCTIONS
    her.safe_contact_confirmed_on = today - datetime.timedelta(days=100)
    her.save()
    refresh.refresh_everyone()

    secret = give_totp(world.alice)
    sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, secret)
    page.goto(f"{live_url}/")
    page.get_by_role("link", name="Who needs you this week").click()
    card = page.locator(".caseload-card", has_text=her.code)
    expect(card).to_contain_text("Safe-contact check overdue 10 days")
    expect(card).to_contain_text("Confirm her safe-contact instructions with her")
    card.locator("a.fw-semibold").click()
    expect(page).to_have_url(f"{live_url}/enrolments/{enrolment.pk}/")

    # Beside "Record a contact": her instructions, how old they are, and the button.
    header = page.locator("#enrolment-header")
    expect(header.get_by_role("link", name="Record a contact")).to_be_visible()
    block = header.locator("#safe-contact")
    expect(block).to_contain_text(INSTRUCTIONS)
    expect(block).to_contain_text("check they still hold before you contact her")
    block.get_by_role("button", name="Confirm with her today").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Her safe-contact instructions are confirmed as of today."
    )
    expect(page).to_have_url(f"{live_url}/enrolments/{enrolment.pk}/")
    expect(page.locator("#safe-contact")).to_contain_text("Confirmed with her today.")
    her.refresh_from_db()
    assert her.safe_contact_confirmed_on == today

    page.goto(f"{live_url}/")
    page.get_by_role("link", name="Who needs you this week").click()
    card = page.locator(".caseload-card", has_text=her.code)
    expect(card).not_to_contain_text("Safe-contact check overdue")
    expect(card).to_contain_text("Safe-contact check due in 90 days")

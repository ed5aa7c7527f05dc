"""In a real browser: a case manager signs in, finds her participant by name, and moves
her to the next phase."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from doorway.conftest import World
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_case_manager_finds_her_participant_and_moves_her_on(
    page: Page, live_url: str, world: World
) -> None:
    secret = give_totp(world.alice)
    sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, secret)

    page.goto(f"{live_url}/participants/")
    # The list's own search (the navigation has a search box too).
    main = page.get_by_role("main")
    main.get_by_label("Code or name").fill("Rosa")
    main.get_by_role("button", name="Search").click()
    results = page.locator("#participant-results")
    expect(results).to_contain_text("1 match.")
    expect(results).not_to_contain_text("Tess")
    # The name was posted, never put in the address.
    assert "Rosa" not in page.url

    results.get_by_role("link", name=world.rosa.code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rosa")
    # A safety flag is added in place (HTMX), under the page's strict CSP.
    page.get_by_text("Add a safety flag").click()
    page.get_by_label("Safety flag").select_option(label="No voicemail")
    page.get_by_role("button", name="Add flag").click()
    expect(page.locator(".safety-flags")).to_contain_text("No voicemail")
    page.get_by_role("link", name="Exit Doors Here: Cycle 1").click()
    expect(page).to_have_url(re.compile(r"/enrolments/[0-9a-f-]{36}/$"))
    expect(page.locator("#current-phase")).to_have_text("Phase 0 — Making the connection")

    # Folded away, and asked again before it is made.
    page.get_by_text("Move her to another phase, or record that she left").click()
    page.get_by_label("Move to Phase 1 — Intake and assessment").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Move her to Phase 1 — Intake and assessment?"
    )
    page.get_by_role("button", name="Yes: Move to Phase 1 — Intake and assessment").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Done: Move to Phase 1 — Intake and assessment."
    )
    expect(page.locator("#current-phase")).to_have_text("Phase 1 — Intake and assessment")
    expect(page.locator("#timeline")).to_contain_text(
        "Making the connection → Intake and assessment"
    )
    world.rosa_enrolment.refresh_from_db()
    assert world.rosa_enrolment.current_phase.name == "Intake and assessment"

    # A mistake: her case manager takes it back the same day, saying why.
    page.get_by_text("Undo it (possible until").click()
    page.get_by_label("Why undo it?").fill("Moved on the wrong day.")
    page.get_by_role("button", name="Undo the move").click()
    expect(page.get_by_role("status")).to_contain_text("The move was undone")
    expect(page.locator("#current-phase")).to_have_text("Phase 0 — Making the connection")
    expect(page.locator("#timeline")).to_contain_text("Moved to the next phase (undone)")

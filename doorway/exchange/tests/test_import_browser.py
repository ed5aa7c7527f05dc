"""On a phone: a case manager imports her old spreadsheet: upload, read the dry run's
problems, fix, upload again, import; and a job checked in the background shows its
progress until the page reloads on the result. No CSP violation (the fixture checks)."""

from __future__ import annotations

import pytest
from playwright.sync_api import FilePayload, Page, expect

from doorway.conftest import World
from doorway.exchange.imports import engine
from doorway.exchange.tests.importing_helpers import (
    PARTICIPANT_HEADER,
    csv_file,
    participant_row,
)
from doorway.people.models import Participant
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_case_manager_imports_a_spreadsheet_after_fixing_it(
    phone_page: Page, live_url: str, world: World
) -> None:
    page = phone_page
    secret = give_totp(world.alice)
    sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, secret)
    page.get_by_role("button", name="Menu").click()
    # Imports is one of the things a worker uses now and then: under "More".
    page.get_by_role("button", name="More").click()
    page.get_by_role("link", name="Imports").click()
    # The menu's own "Participants" link matches too until the imports page is shown.
    expect(page.get_by_role("heading", name="Import from a spreadsheet")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Participants").click()
    expect(page.get_by_role("link", name="Template for Excel (.xlsx)")).to_be_visible()

    broken = [participant_row("P1", "Nadia", dob="31/13/1990"), participant_row("P2", "Olga")]
    page.set_input_files(
        "input[type=file]",
        files=[
            FilePayload(
                name="old.csv", mimeType="text/csv", buffer=csv_file(PARTICIPANT_HEADER, broken)
            )
        ],
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-problems-summary")).to_contain_text("Nothing was saved")
    expect(page.locator("#import-problems")).to_contain_text("Date of birth")
    assert Participant.objects.with_name("Olga Importedsurname").count() == 0

    fixed = [participant_row("P1", "Nadia", dob="31/12/1990"), participant_row("P2", "Olga")]
    page.set_input_files(
        "input[type=file]",
        files=[
            FilePayload(
                name="old.csv", mimeType="text/csv", buffer=csv_file(PARTICIPANT_HEADER, fixed)
            )
        ],
    )
    page.get_by_role("button", name="Check the fixed file").click()
    expect(page.locator("#import-ready")).to_contain_text("2 rows will be imported")
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.locator("#import-result")).to_contain_text("2 rows saved")
    nadia = Participant.objects.with_name("Nadia Importedsurname").get()
    assert str(nadia.date_of_birth) == "1990-12-31"


def test_a_background_check_shows_its_progress_then_its_result(
    page: Page, live_url: str, world: World
) -> None:
    secret = give_totp(world.alice)
    sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, secret)
    job = engine.start(
        user=world.alice,
        kind="participants",
        data=csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia")]),
        filename="old.csv",
    )
    page.goto(f"{live_url}/imports/jobs/{job.pk}/")
    expect(page.locator("#import-progress")).to_contain_text("0 of 1 row checked")
    # The worker finishes; the polling page reloads itself on the result.
    engine.check(job)
    expect(page.locator("#import-ready")).to_contain_text("1 row will be imported", timeout=8000)

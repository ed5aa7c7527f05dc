"""On a phone: a peer mentor downloads her peer contacts from the exports page."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from doorway.casework.actions import record_contact
from doorway.conftest import World
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_peer_mentor_downloads_her_peer_contacts_on_a_phone(
    phone_page: Page, live_url: str, world: World
) -> None:
    record_contact(
        world.rosa_enrolment,
        by=world.pat,
        happened_on=timezone.localdate(),
        duration_minutes=40,
        kind="peer",
    )
    sign_in_browser(phone_page, live_url, "pat", DEFAULT_PASSWORD, give_totp(world.pat))
    phone_page.goto(f"{live_url}/exports/")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Exports")
    expect(phone_page.get_by_role("heading", name="Caseload")).to_have_count(0)
    contacts = phone_page.locator("#contacts")
    with phone_page.expect_download() as waiting:
        contacts.get_by_role("button", name="Download CSV").click()
    download = waiting.value
    assert download.suggested_filename.startswith("doorway-contacts-")
    path = download.path()
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline="")))
    assert [r[0] for r in rows[1:]] == [world.rosa.code]
    assert rows[1][2] == "Peer contact"
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

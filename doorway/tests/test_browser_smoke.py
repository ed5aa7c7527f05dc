"""The sign-in page in real Chromium, under the production Content-Security-Policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from doorway.testing.browser import console_log

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sign_in_page_renders_in_chromium_without_csp_violations(
    page: Page, live_url: str
) -> None:
    response = page.goto(f"{live_url}/accounts/login/")
    assert response is not None
    assert response.status == 200
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    page.wait_for_load_state("networkidle")
    assert page.locator("input[name=password]").is_visible()
    # The vendored stylesheet was applied, not refused: Bootstrap sets this on <body>.
    assert page.evaluate("getComputedStyle(document.body).boxSizing") == "border-box"
    assert console_log(page).csp_violations() == []


def test_the_sign_in_page_fits_a_phone_screen(phone_page: Page, live_url: str) -> None:
    phone_page.goto(f"{live_url}/accounts/login/")
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.locator("input[name=password]").is_visible()
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0

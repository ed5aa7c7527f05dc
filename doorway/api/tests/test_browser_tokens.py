"""In a real browser: the API documentation page renders Swagger UI from vendored files
with no CSP violation and authenticates with a token; a case manager makes and revokes
a token on her phone. (The page fixtures fail any test whose page broke the CSP.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from doorway.api.models import AccessToken, digest_of
from doorway.conftest import World
from doorway.testing.browser import console_log
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_the_docs_page_shows_the_schema_and_offers_the_token_scheme(
    page: Page, live_url: str, world: World
) -> None:
    page.goto(f"{live_url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Doorway API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.get_by_role("button", name=re.compile("Authorize")).first.click()
    expect(page.get_by_text("accessToken")).to_be_visible()
    assert console_log(page).csp_violations() == []


def test_a_case_manager_makes_and_revokes_a_token_on_her_phone(
    phone_page: Page, live_url: str, world: World
) -> None:
    page = phone_page
    sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, give_totp(world.alice))
    page.goto(f"{live_url}/tokens/")
    page.get_by_label("Name").fill("Monthly report")
    page.get_by_label("Read only").check()
    page.get_by_label("Expires after").select_option("7")
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_role("status")).to_contain_text("Copy it now")
    secret = page.locator("#new-token").input_value()
    token = AccessToken.objects.get(owner=world.alice)
    assert token.digest == digest_of(secret)
    page.get_by_role("button", name="Copy").click()
    assert page.evaluate("document.activeElement.id") == "new-token"

    page.get_by_role("link", name="API documentation").click()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Doorway API")
    page.goto(f"{live_url}/tokens/")
    expect(page.locator("body")).not_to_contain_text(secret)
    page.get_by_role("link", name="Revoke Monthly report").click()
    page.get_by_role("button", name="Revoke it").click()
    expect(page.get_by_role("status")).to_contain_text("no longer works")
    token.refresh_from_db()
    assert token.revoked_at is not None

"""In a real browser: the API documentation page renders Swagger UI from vendored files
with no CSP violation and authenticates with a token; a case manager makes and revokes
a token on her phone. (The page fixtures fail any test whose page broke the CSP.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from doorway.api.models import AccessToken, digest_of
from doorway.api.tokens import issue_token
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


def test_swagger_ui_reads_with_a_pasted_token_and_only_with_it(
    page: Page, live_url: str, world: World
) -> None:
    # A token needs an authenticator: she has one before she makes it.
    totp = give_totp(world.alice)
    _, secret = issue_token(world.alice, name="Docs", scope="read", days=1)
    # Signed in too: the page must still not use her session.
    sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, totp)
    page.goto(f"{live_url}/api/v1/docs/")
    operation = page.locator("#operations-participants-participants_list")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("401")

    page.get_by_role("button", name=re.compile("Authorize")).first.click()
    page.locator(".auth-container input[type=text]").first.fill(secret)
    page.locator(".auth-container button.authorize").first.click()
    page.locator(".auth-container button.btn-done").first.click()
    operation.get_by_role("button", name="Execute").click()
    expect(status).to_have_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text(str(world.rosa.pk))


def test_a_case_manager_makes_and_revokes_a_token_on_her_phone(
    phone_page: Page, live_url: str, world: World
) -> None:
    page = phone_page
    sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, give_totp(world.alice))
    page.goto(f"{live_url}/tokens/")
    page.get_by_label("Name", exact=True).fill("Monthly report")
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

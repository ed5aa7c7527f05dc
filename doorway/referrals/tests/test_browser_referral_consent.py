"""In a real browser: the referral is refused for want of her consent to share; the
consent is recorded inside the form (htmx), and what was typed is still there."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from doorway.conftest import World
from doorway.referrals.models import Referral
from doorway.testing.factories import PartnerFactory
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

NOTE = "Ground-floor room, please; call her safe contact first."


def test_consent_recorded_in_place_keeps_the_typed_referral(
    page: Page, live_url: str, world: World
) -> None:
    housing = PartnerFactory(agency=world.agency, name="Safe Harbour Housing", services=["housing"])
    secret = give_totp(world.alice)
    sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, secret)
    page.goto(live_url + reverse("referral_make", args=[world.rosa_enrolment.pk]))

    with page.expect_response(lambda r: "service_kind=housing" in r.url):
        page.get_by_label("Kind of service").select_option(label="Housing")
    expect(page.locator("#referral_partner")).to_be_enabled()
    page.locator("#referral_partner").select_option(label="Safe Harbour Housing")
    page.get_by_label("This referral shares her information with the partner").check()
    page.get_by_label("Note").fill(NOTE)
    page.get_by_role("button", name="Record the referral").click()
    expect(page.locator("#referral-consent")).to_contain_text(
        "She has no consent to share her information with Safe Harbour Housing"
    )

    sharing = page.locator("#sharing-consent")
    sharing.get_by_label("Partner agency").select_option(label="Safe Harbour Housing")
    # She chooses what may leave: nothing is ticked for her.
    expect(sharing.get_by_label("Service plan and goals")).not_to_be_checked()
    sharing.get_by_label("Contact details: her name, phone and e-mail").check()
    sharing.get_by_label("Service plan and goals").check()
    url_before = page.url
    sharing.get_by_role("button", name="Record her consent").click()

    expect(page.get_by_role("status")).to_contain_text("Her consent to share was recorded.")
    # In place: the same page, and everything typed is still there.
    assert page.url == url_before
    expect(page.get_by_label("Note")).to_have_value(NOTE)
    expect(
        page.get_by_label("This referral shares her information with the partner")
    ).to_be_checked()
    assert world.rosa.may_share_with(housing, scope="plan")
    assert not world.rosa.may_share_with(housing, scope="assessment")

    page.get_by_role("button", name="Record the referral").click()
    expect(page.get_by_role("status")).to_contain_text("The referral was recorded.")
    referral = Referral.objects.get(partner=housing)
    assert referral.shares_information

"""In a real browser: the worker makes a link from the referral's page and copies it; the
partner, in a browser of their own with no account, opens it and declines with a
reason; the worker sees "Declined" on the referral, marked as the partner's answer."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from doorway.conftest import World
from doorway.referrals.actions import make_referral
from doorway.referrals.models import Referral, ReferralStatus
from doorway.testing.factories import PartnerFactory
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

REASON = "No beds until the spring; try the Eastside shelter."


def test_the_partner_declines_through_the_link_and_the_worker_sees_it(
    page: Page, browser: Browser, live_url: str, world: World
) -> None:
    housing = PartnerFactory(agency=world.agency, name="Safe Harbour Housing", services=["housing"])
    make_referral(
        world.rosa_enrolment,
        by=world.alice,
        partner=housing,
        service_kind="housing",
        shares_information=False,
        made_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    secret = give_totp(world.alice)
    sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, secret)
    page.goto(live_url + reverse("enrolment_detail", args=[world.rosa_enrolment.pk]))
    page.locator("#referral-list").get_by_role("link", name="Safe Harbour Housing").click()
    page.get_by_role("button", name="Make a link for the partner").click()
    expect(page.get_by_role("heading", name="The link for the partner")).to_be_visible()
    url = page.get_by_label("Link", exact=True).input_value()
    assert url.startswith(live_url + "/r/")

    partner_context = browser.new_context(locale="en-CA")
    try:
        partner = partner_context.new_page()
        partner.goto(url)
        heading = partner.get_by_role("heading", name="A referral for Safe Harbour Housing")
        expect(heading).to_be_visible()
        expect(partner.locator("#referral-facts")).to_contain_text(world.rosa.code)
        partner.get_by_label("We decline the referral").check()
        partner.get_by_role("button", name="Send the answer").click()
        # Declining needs its reason: the error summary says so, nothing is saved.
        expect(partner.get_by_role("alert")).to_contain_text("Say why you decline")
        partner.get_by_label("We decline the referral").check()
        partner.get_by_label("Reason or note").fill(REASON)
        partner.get_by_role("button", name="Send the answer").click()
        expect(partner.get_by_role("heading", name="Thank you")).to_be_visible()
        # Spent: opened again, it shows nothing.
        partner.goto(url)
        expect(partner.get_by_role("heading", name="This link no longer works")).to_be_visible()
    finally:
        partner_context.close()

    page.get_by_role("link", name="Back to the referral to Safe Harbour Housing").click()
    expect(page.locator("#referral-status")).to_have_text("Declined")
    expect(page.locator("#referral-updates")).to_contain_text(REASON)
    expect(page.locator("#referral-updates")).to_contain_text("Answered by Safe Harbour Housing")
    assert Referral.objects.get(partner=housing).status == ReferralStatus.DECLINED

"""In a real browser, under the strict CSP: an evaluator draws a review, rates each
record's first item as she reads its evidence, and sees Cohen's kappa beside the
computed fidelity."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from doorway.conftest import World
from doorway.enrolments.models import Enrolment
from doorway.fidelity_review.models import FidelityReview
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_an_evaluator_draws_rates_and_sees_kappa(
    page: Page, live_url: str, world: World, women: list[Enrolment], any_cohort_size: None
) -> None:
    secret = give_totp(world.eve)
    sign_in_browser(page, live_url, "eve", DEFAULT_PASSWORD, secret)
    page.goto(f"{live_url}/evaluation/{world.program.slug}/fidelity-review/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fidelity reviews")
    page.get_by_label("Records to draw").fill("6")
    page.get_by_label("Seed").fill("2026")
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.locator("#seed")).to_have_text("2026")
    review = FidelityReview.objects.get()
    computed = {r.position: r.computed["nine_months"] for r in review.records.all()}
    # One of the six (EDH-REV002) left ten months after phase 1 began: both verdicts occur.
    assert set(computed.values()) == {"pass", "fail"}
    page.get_by_role("link", name="Record 1 of 6").click()
    for position in range(1, 7):
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Record {position} of 6")
        item = page.locator("#item-nine_months")
        expect(item).to_contain_text("Phase 1 began on day")
        # She rates from the evidence; here, as the rule reads it.
        item.get_by_label("Met" if computed[position] == "pass" else "Not met", exact=True).check()
        page.get_by_role("button", name="Save and go to the next record").click()
    expect(page.get_by_role("alert").or_(page.locator(".alert"))).to_contain_text(
        "Record 6 of 6 saved"
    )
    page.goto(f"{live_url}/evaluation/{world.program.slug}/fidelity-review/{review.pk}/results/")
    row = page.locator("#result-nine_months")
    expect(row.locator(".kappa")).to_have_text("1.00")
    expect(row).to_contain_text("100.0%")
    expect(page.locator("#result-equal_phases .kappa")).to_have_text("not defined")

"""Her words survive the idle sign-out: she types a note, is warned before the session
ends, is signed out, sends the form anyway, signs in again and finds the form as it was."""

from __future__ import annotations

import datetime
import re
import time
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from doorway.casework.models import Contact
from doorway.conftest import World
from doorway.drafts.models import Draft
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

# Short enough to see the warning in a test: it comes a third of the idle time before
# the end (drafts.templatetags.drafts.warn_seconds).
IDLE_SECONDS = 18
FIRST = "She found a room at the shelter on Dundas."
THEN = " Wants help with the lease."


def test_her_note_comes_back_after_the_idle_sign_out(
    page: Page, live_url: str, world: World, settings: Any
) -> None:
    settings.SESSION_COOKIE_AGE = IDLE_SECONDS
    secret = give_totp(world.alice)
    sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, secret)
    signed_in_at = time.time()
    form_url = reverse("contact_record", args=[world.rosa_enrolment.pk])
    page.goto(live_url + form_url)

    # Saved about ten seconds after she starts typing.
    saving = reverse("draft_save")
    with page.expect_response(lambda r: r.url.endswith(saving), timeout=25_000) as saved:
        page.get_by_label("Duration (minutes)").fill("45")
        page.get_by_label("Kind of contact").select_option("counselling")
        page.get_by_label("Case note").fill(FIRST)
    assert saved.value.ok
    assert Draft.objects.get().fields["note"] == [FIRST]
    expires = Session.objects.get().expire_date

    # The warning, a dialog she can answer from the keyboard, before the session ends.
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible(timeout=IDLE_SECONDS * 1000)
    expect(dialog).to_contain_text("You will soon be signed out")
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    # Showing it asked nothing of the server: the session is not kept alive by it.
    assert Session.objects.get().expire_date == expires

    # She does not answer, and the session ends.
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # She types a little more (not yet saved) and sends the form.
    page.get_by_label("Case note").press_sequentially(THEN)
    page.get_by_role("button", name="Record the contact").click()

    # Sent to sign in, then back to the form.
    page.wait_for_url(re.compile(re.escape(f"{reverse('account_login')}?next={form_url}")))
    # A code is accepted once per 30-second window, and one made at the very end of its
    # window may reach the server in the next.
    while time.time() // 30 == signed_in_at // 30 or 30 - time.time() % 30 < 5:
        time.sleep(0.5)
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.fill("input[name=code]", totp_code(secret))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(form_url) + "$"))

    notice = page.get_by_role("status").filter(has_text="Draft restored from")
    expect(notice).to_be_visible()
    expect(notice.get_by_role("button", name="Discard")).to_be_visible()
    expect(page.get_by_label("Case note")).to_have_value(FIRST + THEN)
    expect(page.get_by_label("Duration (minutes)")).to_have_value("45")
    expect(page.get_by_label("Kind of contact")).to_have_value("counselling")

    page.get_by_label("Date of the contact").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record the contact").click()
    expect(page.get_by_role("status").filter(has_text="The contact was recorded.")).to_be_visible()
    assert Contact.objects.get().note == FIRST + THEN
    assert not Draft.objects.exists()

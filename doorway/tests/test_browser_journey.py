"""One woman's whole journey through Exit Doors Here, done by her case manager on a
phone: outreach under a nickname, registration and consents, intake assessment and
eligibility, a plan with two goals, a contact and a drop-in, a referral accepted, the
three phases, the transfer-of-care meeting, graduation, the closing note and the
follow-up questionnaire a month later. Between the steps her caseload says what is due.

The clock is moved with time-machine: the live server runs in this process, so the
pages see the travelled date, and the due items are refreshed by the tasks that run
when each change commits (ImmediateBackend). Each jump of days outlasts the 30-minute
idle limit, so Alice signs in again, as she would on a new working day.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Callable

import pytest
import time_machine
from playwright.sync_api import Locator, Page, expect

from doorway.conftest import World
from doorway.instruments import exit_doors_here as edh_instruments
from doorway.programs.models import PartnerAgency
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

TORONTO = zoneinfo.ZoneInfo("America/Toronto")
# A Monday morning; every later day of the journey is counted from it.
START = datetime.datetime(2027, 2, 1, 9, 0, tzinfo=TORONTO)


def move_her(page: Page, move: str, reason: str = "") -> None:
    """The enrolment page's folded move form, then its confirmation page."""
    page.get_by_text("Move her to another phase, or record that she left").click()
    page.get_by_label(move).check()
    if reason:
        page.locator("#move-form").get_by_role("textbox", name="Reason").fill(reason)
    page.get_by_role("button", name="Continue").click()
    page.locator("#confirm-move").click()


def day(n: int) -> datetime.datetime:
    return START + datetime.timedelta(days=n)


def settled(page: Page, path: str, act: Callable[[], object]) -> None:
    """Do `act` and wait for the background (HTMX) request it starts to answer. The
    live server's threads share one in-memory SQLite connection, so a form posted
    while such a request still runs would race it; and a field the answer replaces
    must be filled after it arrives."""
    with page.expect_response(lambda r: path in r.url):
        act()


def her_caseload_card(page: Page, live_url: str) -> Locator:
    """Open the caseload and return Amara's card."""
    page.goto(f"{live_url}/caseload/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    return page.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=re.compile(r"· Amara$"))
    )


def badge(card: Locator, label: str) -> Locator:
    """The line of her card about one due item, found by its label."""
    return card.get_by_role("listitem").filter(has_text=label)


def test_a_case_manager_takes_a_woman_from_outreach_to_follow_up_on_a_phone(
    phone_page: Page, live_url: str, world: World
) -> None:
    page = phone_page
    edh_instruments.install(world.program)
    PartnerAgency.objects.create(agency=world.agency, name="Maple Housing", services=["housing"])
    secret = give_totp(world.alice)

    def new_working_day(n: int) -> None:
        traveller.move_to(day(n))
        sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, secret)

    with time_machine.travel(START, tick=True) as traveller:
        sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, secret)

        # Day 0, on the stroll: an outreach contact under the nickname she gave.
        page.goto(f"{live_url}/outreach/")  # one program: straight to its log
        page.get_by_role("link", name="Record outreach").click()
        page.get_by_label("Street outreach").check()
        page.get_by_label("Place").fill("east-end stroll")
        page.get_by_label("Number of women reached").fill("3")
        page.get_by_label("Harm-reduction kit").check()
        page.get_by_label("Information card").check()
        page.get_by_label("Women who asked to be referred").fill("1")
        page.get_by_label("Nickname (optional)").fill("Sunny")
        page.get_by_role("button", name="Record the outreach").click()
        expect(page.get_by_role("status")).to_have_text("The outreach contact was recorded.")
        expect(page.get_by_role("region", name="Log, newest first")).to_contain_text(
            "Nickname: Sunny"
        )

        # She comes in and agrees to a record: register and enrol her.
        page.goto(f"{live_url}/participants/new/")
        for label, value in [
            ("Preferred name", "Amara"),
            ("Legal name (optional)", "Amara Osei"),
            ("Date of birth (optional)", "1994-06-12"),
        ]:
            # Each of these asks, on change, whether she is registered already.
            page.get_by_label(label).fill(value)
            settled(page, "/duplicates/", lambda: page.keyboard.press("Tab"))
        page.get_by_label("Referred by").select_option(label="Street outreach")
        page.get_by_role("button", name="Register her").click()
        expect(page.get_by_role("status")).to_contain_text("Registered as EDH-")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Amara")

        # Her consents: to service, and to share information with Maple Housing.
        consents = page.get_by_role("region", name="Consents")
        consents.get_by_text("Record a consent").click()
        consents.get_by_label("She consents to").select_option(label="Service")
        consents.get_by_role("button", name="Record").click()
        expect(consents.get_by_role("listitem").filter(has_text="Service")).to_contain_text(
            "In force"
        )
        consents.get_by_text("Record a consent").click()
        consents.get_by_label("She consents to").select_option(
            label="Information sharing with a partner"
        )
        consents.get_by_label("Partner agency").select_option(label="Maple Housing")
        # What she agrees may leave: her plan and her assessments, not her contact details.
        consents.get_by_label("Service plan and goals").check()
        consents.get_by_label("Assessments").check()
        consents.get_by_role("button", name="Record").click()
        expect(consents.get_by_role("listitem").filter(has_text="Maple Housing")).to_contain_text(
            "In force"
        )

        page.get_by_role("link", name="Exit Doors Here: Cycle 1").click()
        enrolment_url = page.url
        expect(page.locator("#current-phase")).to_have_text("Phase 0 — Making the connection")
        # Making the connection has no contact cadence: only her safe-contact instructions,
        # none given yet, are to be asked for, in her program's 90 days.
        card = her_caseload_card(page, live_url)
        expect(card).to_contain_text("Making the connection")
        expect(card).to_contain_text("Safe-contact check due in 90 days")
        expect(card.get_by_role("listitem")).to_have_count(1)

        # Her earlier outreach contact is linked to her record.
        page.goto(enrolment_url)
        page.get_by_role("link", name="Link outreach contacts").click()
        page.get_by_label("Nickname she was known by (optional)").fill("sunny")
        page.get_by_role("button", name="Find").click()
        page.get_by_role("checkbox", name=re.compile("“Sunny”")).check()
        page.get_by_role("button", name="Link to her record").click()
        expect(page.get_by_role("status")).to_contain_text("1 outreach contact linked")
        page.get_by_role("link", name=re.compile("^Back to EDH-")).click()
        expect(page.get_by_role("region", name="Outreach before she enrolled")).to_contain_text(
            "1 outreach contact linked"
        )

        # Intake: her weekly contacts start. Her plan is agreed in this phase, so there
        # is no plan yet to review.
        move_her(page, "Move to Phase 1 — Intake and assessment")
        expect(page.get_by_role("status")).not_to_contain_text("plan review")
        card = her_caseload_card(page, live_url)
        expect(badge(card, "Plan review")).to_have_count(0)
        expect(badge(card, "Weekly contact")).to_contain_text("Contact due in 7 days")
        expect(badge(card, "Weekly contact")).to_contain_text("due 8 Feb 2027")

        # The intake assessment, answered so that she is eligible.
        card.get_by_role("link").first.click()
        page.get_by_role("link", name="Start an assessment").click()
        page.get_by_role("button", name="Fill in the intake assessment").click()
        main = page.get_by_role("main")
        main.get_by_role("group", name="Does she identify as a woman?").get_by_label("Yes").check()
        main.get_by_role("group", name="Does she want to leave sex work?").get_by_label(
            "Yes"
        ).check()
        main.get_by_label("Housing").check()
        main.get_by_label("Safety and violence").check()
        main.get_by_label("Lacks positive supports").check()
        main.get_by_label("Unsafe because of an abuser").check()
        main.get_by_label("Homeless or at risk of it").check()
        main.get_by_label("Sometimes").check()
        main.get_by_label("Preparation: getting ready to change").check()
        page.get_by_role("button", name="Save the intake assessment").click()
        expect(page.get_by_role("heading", level=2, name=re.compile("Eligible"))).to_have_text(
            "Eligible for Exit Doors Here: Yes"
        )
        page.get_by_role("button", name="Record as her eligibility decision: eligible").click()
        expect(page.get_by_role("status")).to_contain_text("eligibility decision was recorded")
        expect(page.get_by_role("region", name="Where she is")).to_contain_text(
            "Eligible (1 Feb 2027)"
        )

        # Her plan, the phase's focus areas and two goals.
        # Asked once, among the next actions at the top: straight to the agreement.
        page.locator("#next-actions").get_by_role("link", name="Agree her plan").click()
        page.get_by_label("What she wants, in her own words").fill(
            "A safe place of my own and a job."
        )
        page.get_by_role("button", name="Save her plan").click()
        expect(page.get_by_role("status").first).to_have_text("Her plan was saved.")
        page.get_by_role("link", name="Set the phase plan").click()
        page.get_by_label("Accommodation").check()
        page.get_by_label("Work and learning").check()
        page.get_by_role("button", name="Save the phase plan").click()
        for area, words in [
            ("Accommodation", "Get on the housing list"),
            ("Work and learning", "Finish a food-handling course"),
        ]:
            page.get_by_role("link", name="Add a goal").click()
            page.get_by_label("Focus area").select_option(label=area)
            page.get_by_label("The goal, in her words").fill(words)
            page.get_by_role("button", name="Save the goal").click()
            expect(page.get_by_role("status").first).to_have_text("The goal was added.")
        goals = page.get_by_role("region", name="Goals")
        expect(goals.get_by_role("listitem")).to_have_count(2)
        card = her_caseload_card(page, live_url)
        expect(badge(card, "Plan review")).to_have_count(0)
        expect(badge(card, "Weekly contact")).to_contain_text("Contact due in 7 days")

        # Day 9: no contact since intake, so it is overdue.
        new_working_day(9)
        card = her_caseload_card(page, live_url)
        # A missed contact of an active woman heads the caseload.
        expect(page.get_by_role("region", name=re.compile("^Missed contacts"))).to_contain_text(
            "Amara"
        )
        expect(badge(card, "Weekly contact")).to_contain_text("Contact overdue 2 days")
        # A contact about her housing goal.
        card.get_by_role("link").first.click()
        page.locator("#next-actions").get_by_role("link", name="Record a contact").click()
        page.get_by_label("Duration (minutes)").fill("45")
        page.get_by_label("Kind of contact").select_option(label="Individual counselling")
        page.get_by_label("Accommodation: Get on the housing list").check()
        page.get_by_label("Case note").fill("Went through the housing application together.")
        page.get_by_role("button", name="Record the contact").click()
        expect(page.get_by_role("status")).to_have_text("The contact was recorded.")
        expect(page.get_by_role("region", name="Contacts")).to_contain_text(
            "Goals: Accommodation: Get on the housing list"
        )
        card = her_caseload_card(page, live_url)
        expect(badge(card, "Weekly contact")).to_contain_text("Contact due in 7 days")
        expect(badge(card, "Weekly contact")).to_contain_text("due 17 Feb 2027")

        # That afternoon's drop-in: start it and tap her name.
        page.goto(f"{live_url}/dropins/")
        page.get_by_role("link", name="Start a session").click()
        page.get_by_label("Weekly drop-in").check()
        page.get_by_label("Topic").fill("Tenant rights")
        page.get_by_role("button", name="Start and take attendance").click()
        her_name = page.get_by_role("button", name=re.compile(r"^Amara "))
        her_name.click()
        expect(her_name).to_have_attribute("aria-pressed", "true")
        expect(her_name).to_contain_text("Here")

        # A housing referral to the partner she agreed to share with.
        page.goto(enrolment_url)
        expect(page.get_by_role("region", name="Drop-ins and groups")).to_contain_text(
            "1 weekly drop-in"
        )
        page.get_by_role("link", name="Make a referral").first.click()
        # Choosing the kind reloads the partner list: wait for it before choosing.
        settled(
            page,
            "/referrals/new/",
            lambda: page.get_by_label("Kind of service").select_option(label="Housing"),
        )
        # The form also holds a consent block of its own, with its own partner list.
        page.locator("#referral_partner").select_option(label="Maple Housing")
        page.get_by_label("This referral shares her information with the partner").check()
        page.get_by_role("button", name="Record the referral").click()
        expect(page.get_by_role("status")).to_have_text("The referral was recorded.")
        card = her_caseload_card(page, live_url)
        expect(badge(card, "Housing referral to Maple Housing")).to_contain_text(
            "Referral: news due in 14 days"
        )

        # Day 26: two weeks without news of the referral, and no contact either.
        new_working_day(26)
        card = her_caseload_card(page, live_url)
        expect(badge(card, "Housing referral to Maple Housing")).to_contain_text(
            "Referral: no news for 17 days"
        )
        expect(badge(card, "Weekly contact")).to_contain_text("Contact overdue 10 days")
        # Maple Housing accepted her.
        page.goto(enrolment_url)
        page.get_by_role("region", name="Referrals").get_by_role(
            "link", name="Housing · Maple Housing"
        ).click()
        page.get_by_label("Accepted").check()
        page.get_by_role("button", name="Record").click()
        expect(page.get_by_role("status")).to_have_text("Recorded: accepted.")
        expect(page.get_by_role("region", name="Referrals")).to_contain_text("Accepted since")
        card = her_caseload_card(page, live_url)
        expect(badge(card, "Housing referral to Maple Housing")).to_contain_text(
            "Referral: news due in 14 days"
        )

        # Phase 1 → 2, and the review the move asks for.
        page.goto(enrolment_url)
        move_her(page, "Move to Phase 2 — Service implementation and behaviour change")
        expect(page.locator("#current-phase")).to_have_text(
            "Phase 2 — Service implementation and behaviour change"
        )
        card = her_caseload_card(page, live_url)
        review = badge(card, "Plan review: Service implementation and behaviour change")
        expect(review).to_contain_text("Plan review due today")
        # The fortnightly cadence of phase 2 starts from the move.
        expect(badge(card, "Contact every two weeks")).to_contain_text("Contact due in 14 days")
        expect(badge(card, "Weekly contact")).to_have_count(0)
        card.get_by_role("link").first.click()
        page.get_by_role("region", name="Plan").get_by_role("link", name="Review her plan").click()
        page.get_by_label("What was decided").fill("Application in; she starts the course.")
        page.get_by_label("Accommodation: Get on the housing list").select_option(
            label="In progress"
        )
        page.get_by_role("button", name="Record the review").click()
        expect(page.get_by_role("status")).to_have_text("The plan review was recorded.")
        card = her_caseload_card(page, live_url)
        expect(badge(card, "Plan review")).to_have_count(0)

        # Day 60: phase 2 → 3, its review, and the transfer-of-care meeting.
        new_working_day(60)
        card = her_caseload_card(page, live_url)
        expect(badge(card, "Contact every two weeks")).to_contain_text("Contact overdue 20 days")
        page.goto(enrolment_url)
        move_her(page, "Move to Phase 3 — Adopting a new identity")
        expect(page.locator("#current-phase")).to_have_text("Phase 3 — Adopting a new identity")
        card = her_caseload_card(page, live_url)
        expect(badge(card, "Plan review: Adopting a new identity")).to_contain_text(
            "Plan review due today"
        )
        expect(badge(card, "Monthly contact")).to_be_visible()
        page.goto(enrolment_url)
        page.get_by_role("region", name="Plan").get_by_role("link", name="Review her plan").click()
        page.get_by_label("What was decided").fill("Housed; the course is under way.")
        page.get_by_label("Accommodation: Get on the housing list").select_option(label="Achieved")
        page.get_by_label("Work and learning: Finish a food-handling course").select_option(
            label="In progress"
        )
        page.get_by_role("button", name="Record the review").click()
        expect(page.get_by_role("status")).to_have_text("The plan review was recorded.")
        card = her_caseload_card(page, live_url)
        expect(badge(card, "Plan review")).to_have_count(0)

        page.goto(enrolment_url)
        page.get_by_role("link", name="Record the transfer-of-care meeting").click()
        page.get_by_label("Her long-term supports who took part (optional)").fill("Her sister")
        page.get_by_label("Maple Housing").check()
        page.get_by_label("What was agreed").fill("Maple Housing keeps up her tenancy support.")
        page.get_by_role("button", name="Record the meeting").click()
        page.goto(enrolment_url)
        transfer = page.get_by_role("region", name="Transfer of care and closing note")
        expect(transfer).to_contain_text("Meeting of 2027-04-02")
        expect(transfer).to_contain_text("Partners: Maple Housing")

        # She graduates: a closing note to write today, the follow-up in a month.
        move_her(page, "Exit: Graduated", reason="Housed, working, her supports in place.")
        expect(page.get_by_role("region", name="Where she is")).to_contain_text(
            "Graduated on 2 Apr 2027"
        )
        card = her_caseload_card(page, live_url)
        expect(card).to_contain_text("Graduated")
        expect(badge(card, "Closing note")).to_contain_text("Closing note due today")
        expect(badge(card, "Follow-up questionnaire")).to_contain_text("Follow-up due in 30 days")
        page.goto(enrolment_url)
        page.get_by_role("link", name="Write the closing note").click()
        page.get_by_label("Closing note").fill("She graduated housed and working.")
        page.get_by_role("button", name="Save the closing note").click()
        card = her_caseload_card(page, live_url)
        expect(badge(card, "Closing note")).to_have_count(0)
        expect(badge(card, "Follow-up questionnaire")).to_contain_text("due 2 May 2027")

        # Day 90, one month after graduation: the follow-up is due today.
        new_working_day(90)
        card = her_caseload_card(page, live_url)
        expect(badge(card, "Follow-up questionnaire")).to_contain_text("Follow-up due")
        expect(badge(card, "Follow-up questionnaire")).not_to_contain_text("overdue")
        card.get_by_role("link").first.click()
        page.get_by_role("link", name="Start an assessment").click()
        page.get_by_role("button", name="Fill in the follow-up one month after graduation").click()
        main = page.get_by_role("main")
        main.get_by_role("group", name="How involved in sex work is she now?").get_by_label(
            "Not at all"
        ).check()
        main.get_by_label("Her own place (rented or owned)").check()
        main.get_by_role(
            "group", name="Is she still connected to the supports she was linked to?"
        ).get_by_label("Yes").check()
        main.get_by_label("Housing worker").check()
        main.get_by_label("In her words: what helped most?").fill("Someone who kept showing up.")
        page.get_by_role("button", name="Save the follow-up one month after graduation").click()
        expect(page.get_by_role("status")).to_have_text(
            "Recorded: Follow-up one month after graduation."
        )
        card = her_caseload_card(page, live_url)
        expect(badge(card, "Follow-up questionnaire")).to_have_count(0)

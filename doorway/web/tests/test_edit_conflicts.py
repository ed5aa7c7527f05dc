"""Two people editing the same record on the pages never silently overwrite each other.

Each test is the same story: Alice and Amira (teammates, both reaching Rosa) open the
same edit form; Alice saves; Amira saves what she typed. Amira's save is refused with
the plain message, what she typed is still in the form, Alice's change is shown to her
and is what the database holds. Saving again (now knowing) goes through.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorway.casework.actions import record_contact
from doorway.casework.models import ClosingNote, Contact
from doorway.casework.tests.helpers import in_last_phase
from doorway.concurrency import NEW, STALE_MESSAGE
from doorway.conftest import World
from doorway.people.models import Participant
from doorway.plans import actions as plans
from doorway.plans.models import Goal, PhasePlan, ServicePlan, Step
from doorway.programs.models import FocusArea
from doorway.referrals.actions import make_referral
from doorway.referrals.models import Referral
from doorway.testing.factories import PartnerFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

VERSION = re.compile(r'name="version" value="([^"]*)"')


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


def version_on(page: str) -> str:
    found = VERSION.findall(page)
    assert len(found) == 1, found
    return found[0]


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


@dataclass
class Race:
    """One record, its edit page, and what each of the two writers types."""

    url: str
    alices: dict[str, Any]
    amiras: dict[str, Any]
    # What the record holds now (read fresh), to compare with what Alice saved.
    stored: Callable[[], Any]
    alices_stored: Any
    # A piece of what Amira typed, which must be back in her form.
    amiras_words: str
    # A piece of Alice's change, which Amira must be shown.
    alices_words: str


def open_both(world: World, url: str) -> tuple[Client, str, Client, str]:
    alice, amira = Client(), Client()
    signed_in(alice, world.alice)
    signed_in(amira, world.amira)
    first = alice.get(url)
    second = amira.get(url)
    assert first.status_code == second.status_code == 200
    return alice, version_on(first.content.decode()), amira, version_on(second.content.decode())


def run(world: World, race: Race) -> None:
    alice, alice_saw, amira, amira_saw = open_both(world, race.url)
    assert alice_saw == amira_saw
    saved = alice.post(race.url, {**race.alices, "version": alice_saw})
    assert saved.status_code == 302, page_text(saved)[:3000]
    assert race.stored() == race.alices_stored

    refused = amira.post(race.url, {**race.amiras, "version": amira_saw})
    page = page_text(refused)
    assert refused.status_code == 200
    assert STALE_MESSAGE in page
    assert race.amiras_words in page  # nothing she typed is lost
    assert race.alices_words in page.split("Saved now (their change):")[1]
    assert race.stored() == race.alices_stored  # the first change survives

    # The form now carries the record's new version: saving again, knowing, goes through.
    again = version_on(refused.content.decode())
    assert again != amira_saw
    assert amira.post(race.url, {**race.amiras, "version": again}).status_code == 302
    assert race.stored() != race.alices_stored


# --- her plan ---------------------------------------------------------------------------


def a_plan(world: World) -> ServicePlan:
    return plans.save_service_plan(
        world.rosa_enrolment, by=world.alice, agreed_on=days_ago(5), her_words="A home of my own"
    )


def plan_words() -> str:
    return ServicePlan.objects.get().her_words


def test_the_service_plan(world: World) -> None:
    a_plan(world)
    run(
        world,
        Race(
            url=reverse("plan_agree", args=[world.rosa_enrolment.pk]),
            alices={"agreed_on": days_ago(5), "her_words": "A home and a job"},
            amiras={"agreed_on": days_ago(5), "her_words": "Back to school in the fall"},
            stored=plan_words,
            alices_stored="A home and a job",
            amiras_words="Back to school in the fall",
            alices_words="A home and a job",
        ),
    )


def test_agreeing_a_plan_someone_agreed_meanwhile(world: World) -> None:
    url = reverse("plan_agree", args=[world.rosa_enrolment.pk])
    alice, alice_saw, amira, amira_saw = open_both(world, url)
    assert alice_saw == amira_saw == NEW
    alice.post(url, {"agreed_on": days_ago(1), "her_words": "Safety first", "version": NEW})
    refused = amira.post(url, {"agreed_on": days_ago(1), "her_words": "My kids", "version": NEW})
    page = page_text(refused)
    assert STALE_MESSAGE in page
    assert "My kids" in page
    assert "Safety first" in page
    assert plan_words() == "Safety first"
    assert ServicePlan.objects.count() == 1


def test_the_phase_plan(world: World) -> None:
    areas = list(FocusArea.objects.filter(program=world.program).order_by("order"))
    plans.set_phase_plan(
        world.rosa_enrolment, by=world.alice, focus_areas=areas[:1], agreed_on=days_ago(3)
    )

    def stored() -> set[str]:
        return {a.name for a in PhasePlan.objects.get().focus_areas.all()}

    run(
        world,
        Race(
            url=reverse("phase_plan_set", args=[world.rosa_enrolment.pk]),
            alices={"focus_areas": [areas[1].pk], "agreed_on": days_ago(3)},
            amiras={"focus_areas": [areas[2].pk], "agreed_on": days_ago(2)},
            stored=stored,
            alices_stored={areas[1].name},
            amiras_words=days_ago(2).isoformat(),
            alices_words=areas[1].name,
        ),
    )


def a_goal(world: World) -> Goal:
    a_plan(world)
    area = FocusArea.objects.filter(program=world.program).first()
    return plans.add_goal(
        world.rosa_enrolment, by=world.alice, focus_area=area, her_words="Find a flat"
    )


def test_a_goal(world: World) -> None:
    goal = a_goal(world)
    run(
        world,
        Race(
            url=reverse("goal_edit", args=[world.rosa_enrolment.pk, goal.pk]),
            alices={"focus_area": goal.focus_area_id, "her_words": "Find a flat by spring"},
            amiras={"focus_area": goal.focus_area_id, "her_words": "Find a room near work"},
            stored=lambda: Goal.objects.get().her_words,
            alices_stored="Find a flat by spring",
            amiras_words="Find a room near work",
            alices_words="Find a flat by spring",
        ),
    )


def test_a_goals_status(world: World) -> None:
    goal = a_goal(world)
    run(
        world,
        Race(
            url=reverse("goal_status", args=[world.rosa_enrolment.pk, goal.pk]),
            alices={"status": "in_progress", "on": today()},
            amiras={"status": "achieved", "on": days_ago(1)},
            stored=lambda: Goal.objects.get().status,
            alices_stored="in_progress",
            amiras_words=days_ago(1).isoformat(),
            alices_words="In progress",
        ),
    )


def test_a_step(world: World) -> None:
    goal = a_goal(world)
    step = plans.add_step(goal, by=world.alice, what="Call the housing office")
    base = {"status": "not_started", "on": today()}
    run(
        world,
        Race(
            url=reverse("step_edit", args=[world.rosa_enrolment.pk, step.pk]),
            alices={**base, "what": "Call the housing office on Monday"},
            amiras={**base, "what": "Visit the housing office with her"},
            stored=lambda: Step.objects.get().what,
            alices_stored="Call the housing office on Monday",
            amiras_words="Visit the housing office with her",
            alices_words="Call the housing office on Monday",
        ),
    )


# --- contacts, referrals, her details, the closing note ----------------------------------


def test_a_contact(world: World) -> None:
    contact = record_contact(
        world.rosa_enrolment,
        by=world.alice,
        happened_on=today(),
        duration_minutes=30,
        kind="counselling",
        note="Talked about the move",
    )
    base = {"happened_on": today(), "duration_minutes": 30, "kind": "counselling"}
    run(
        world,
        Race(
            url=reverse("contact_edit", args=[world.rosa_enrolment.pk, contact.pk]),
            alices={**base, "note": "Talked about the move and the lease"},
            amiras={**base, "note": "Talked about the move; she is worried"},
            stored=lambda: Contact.objects.get().note,
            alices_stored="Talked about the move and the lease",
            amiras_words="Talked about the move; she is worried",
            alices_words="Talked about the move and the lease",
        ),
    )


def test_a_referrals_next_step(world: World) -> None:
    partner = PartnerFactory(agency=world.agency, name="Safe Harbour", services=["housing"])
    referral = make_referral(
        world.rosa_enrolment,
        by=world.alice,
        partner=partner,
        service_kind="housing",
        shares_information=False,
        made_on=days_ago(3),
    )
    detail = reverse("referral_detail", args=[world.rosa_enrolment.pk, referral.pk])
    update = reverse("referral_update", args=[world.rosa_enrolment.pk, referral.pk])
    alice, alice_saw, amira, amira_saw = open_both(world, detail)
    saved = alice.post(
        update, {"status": "accepted", "dated_on": days_ago(1), "version": alice_saw}
    )
    assert saved.status_code == 302
    refused = amira.post(
        update,
        {
            "status": "declined",
            "dated_on": days_ago(1),
            "note": "They had no room this month",
            "version": amira_saw,
        },
    )
    page = page_text(refused)
    assert STALE_MESSAGE in page
    assert "They had no room this month" in page
    assert "Accepted" in page.split("Saved now (their change):")[1]
    assert Referral.objects.get().status == "accepted"
    assert referral.updates.count() == 2  # made, accepted: nothing of Amira's


def test_her_details(world: World) -> None:
    def stored() -> str:
        return Participant.objects.get(pk=world.rosa.pk).preferred_name

    run(
        world,
        Race(
            url=reverse("participant_edit", args=[world.rosa.pk]),
            alices={
                "preferred_name": "Rosie",
                "legal_name": "Rosa Example",
                "preferred_language": "en-ca",
            },
            amiras={
                "preferred_name": "Ro",
                "legal_name": "Rosa Example",
                "phone": "555-0100",
                "preferred_language": "en-ca",
            },
            stored=stored,
            alices_stored="Rosie",
            amiras_words="555-0100",
            alices_words="Rosie",
        ),
    )


def test_the_closing_note(world: World) -> None:
    in_last_phase(world.rosa_enrolment)

    def stored() -> str:
        return ClosingNote.objects.get().text

    url = reverse("closing_note", args=[world.rosa_enrolment.pk])
    alice, alice_saw, amira, amira_saw = open_both(world, url)
    assert alice_saw == amira_saw == NEW
    alice.post(url, {"written_on": today(), "text": "She moved in.", "version": NEW})
    refused = amira.post(url, {"written_on": today(), "text": "Handed over.", "version": NEW})
    page = page_text(refused)
    assert STALE_MESSAGE in page
    assert "Handed over." in page
    assert "She moved in." in page.split("Saved now (their change):")[1]
    assert stored() == "She moved in."
    run(
        world,
        Race(
            url=url,
            alices={"written_on": today(), "text": "She moved in; support is in place."},
            amiras={"written_on": today(), "text": "Handed over to the clinic."},
            stored=stored,
            alices_stored="She moved in; support is in place.",
            amiras_words="Handed over to the clinic.",
            alices_words="She moved in; support is in place.",
        ),
    )


def test_a_review_written_over_a_status_someone_changed_meanwhile(world: World) -> None:
    """A review sets her goals' statuses: the status Alice saw, posted back unchanged,
    would otherwise undo the status Amira set in between."""
    from doorway.plans.models import PlanReview

    goal = a_goal(world)
    url = reverse("plan_review", args=[world.rosa_enrolment.pk])
    alice = Client()
    signed_in(alice, world.alice)
    saw = version_on(alice.get(url).content.decode())
    plans.change_goal_status(goal, by=world.amira, status="in_progress", on=today())
    refused = alice.post(
        url,
        {
            "reviewed_on": today(),
            "decided": "Keep going with the flat search",
            f"goal_{goal.pk}": "not_started",
            "version": saw,
        },
    )
    page = page_text(refused)
    assert STALE_MESSAGE in page
    assert "Keep going with the flat search" in page
    assert "In progress" in page.split("Saved now (their change):")[1]
    assert Goal.objects.get().status == "in_progress"
    assert not PlanReview.objects.exists()


def test_a_programs_phase_edited_in_two_tabs(world: World) -> None:
    """Program setup too: Morgan's second tab does not undo what her first saved."""
    phase = world.program.active_phases()[1]
    url = reverse("phase_edit", args=[world.program.pk, phase.pk])
    first, second = Client(), Client()
    signed_in(first, world.morgan)
    signed_in(second, world.morgan)
    seen = [version_on(c.get(url).content.decode()) for c in (first, second)]
    data = {"name": phase.name, "description": "", "contact_cadence": phase.contact_cadence}
    assert first.post(url, {**data, "expected_days": "120", "version": seen[0]}).status_code == 302
    refused = second.post(url, {**data, "expected_days": "75", "version": seen[1]})
    page = page_text(refused)
    assert STALE_MESSAGE in page
    assert 'value="75"' in page
    assert "120" in page.split("Saved now (their change):")[1]
    phase.refresh_from_db()
    assert phase.expected_days == 120

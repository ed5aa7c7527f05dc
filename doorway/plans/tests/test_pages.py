"""The plan pages, the printable plan and the enrolment page's plan section, by role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.disclosures import what
from doorway.disclosures.models import Channel, Disclosure
from doorway.enrolments.models import Enrolment
from doorway.people.actions import break_the_glass
from doorway.plans.models import Goal, PlanReview, ServicePlan
from doorway.plans.tests.support import HER_WORDS, PRIVATE, areas, days_ago, plan_for
from doorway.testing.forms import post_form
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def url(world: World, name: str, *args: object) -> str:
    return reverse(name, args=[world.rosa_enrolment.pk, *args])


def enrolment_page(world: World) -> str:
    return reverse("enrolment_detail", args=[world.rosa_enrolment.pk])


def test_her_case_manager_sees_the_whole_plan_and_the_read_is_audited(client, world) -> None:
    plan, _goals = plan_for(world)
    signed_in(client, world.alice)
    page = client.get(url(world, "plan_detail")).content.decode()
    assert HER_WORDS in page
    assert PRIVATE in page
    assert "Goal number 0" in page
    assert "Step for goal 1" in page
    assert AuditEntry.objects.filter(action="view", object_id=str(plan.pk)).exists()


def test_a_case_manager_agrees_a_plan_and_adds_a_goal_from_the_forms(client, world) -> None:
    signed_in(client, world.alice)
    response = post_form(
        client,
        url(world, "plan_agree"),
        {"agreed_on": days_ago(0).isoformat(), "her_words": HER_WORDS, "private_notes": ""},
    )
    assert response.status_code == 302
    area = areas(world)[1]
    response = client.post(
        url(world, "goal_add"), {"focus_area": area.pk, "her_words": "Save 200 dollars"}
    )
    assert response.status_code == 302
    assert Goal.objects.get().focus_area == area


def test_bad_input_is_shown_beside_the_field_keeps_what_was_typed_and_saves_nothing(
    client, world
) -> None:
    signed_in(client, world.alice)
    response = post_form(
        client,
        url(world, "plan_agree"),
        {"agreed_on": days_ago(-3).isoformat(), "her_words": "Typed words kept"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_agreed_on-errors"' in page or "agreed_on-errors" in page
    assert "Typed words kept" in page
    assert not ServicePlan.objects.exists()


def test_a_phase_plan_with_four_areas_is_refused_beside_the_field(client, world) -> None:
    signed_in(client, world.alice)
    response = post_form(
        client,
        url(world, "phase_plan_set"),
        {"agreed_on": days_ago(0).isoformat(), "focus_areas": [a.pk for a in areas(world)[:4]]},
    )
    assert response.status_code == 200
    assert "phase_plan_focus_areas-errors" in response.content.decode()


def test_a_peer_mentor_gets_no_plan_page_and_no_section(client, world) -> None:
    plan_for(world)
    signed_in(client, world.pat)
    assert client.get(url(world, "plan_detail")).status_code == 403
    assert client.get(url(world, "plan_print")).status_code == 403
    page = client.get(enrolment_page(world)).content.decode()
    assert 'id="plan"' not in page
    assert HER_WORDS not in page


@pytest.mark.parametrize("who", ["bianca", "eve", "oscar", "ada"])
def test_those_out_of_reach_get_404(client, world, who: str) -> None:
    plan_for(world)
    signed_in(client, world.staff()[who])
    assert client.get(url(world, "plan_detail")).status_code == 404
    assert client.get(url(world, "plan_print")).status_code == 404


def test_an_administrator_with_glass_reads_the_plan_and_cannot_write(client, world) -> None:
    plan_for(world)
    break_the_glass(world.rosa, by=world.ada, reason="Court order, checking dates")
    signed_in(client, world.ada)
    page = client.get(url(world, "plan_detail")).content.decode()
    assert HER_WORDS in page
    assert reverse("plan_agree", args=[world.rosa_enrolment.pk]) not in page
    assert client.get(url(world, "plan_agree")).status_code == 403


def test_an_administrator_with_glass_does_not_print_her_plan(client, world) -> None:
    """A print leaves Doorway (it goes on her disclosure log): breaking the glass only
    reads. Her care team prints it for her."""
    plan_for(world)
    break_the_glass(world.rosa, by=world.ada, reason="Court order, checking dates")
    signed_in(client, world.ada)
    page = client.get(url(world, "plan_detail")).content.decode()
    assert url(world, "plan_print") not in page
    response = client.get(url(world, "plan_print"))
    assert response.status_code == 403
    assert HER_WORDS not in response.content.decode()
    assert not Disclosure.objects.filter(participant=world.rosa).exists()


def test_her_case_manager_prints_her_plan_and_it_goes_on_her_disclosure_log(client, world) -> None:
    plan_for(world)
    signed_in(client, world.alice)
    assert url(world, "plan_print") in client.get(url(world, "plan_detail")).content.decode()
    assert client.get(url(world, "plan_print")).status_code == 200
    (disclosure,) = Disclosure.objects.filter(participant=world.rosa)
    assert disclosure.channel == Channel.PRINT
    assert disclosure.by == world.alice
    assert disclosure.what == [what.PREFERRED_NAME, "plan"]


def test_a_goal_of_another_participant_is_not_found_under_her_enrolment(client, world) -> None:
    tess = Enrolment.objects.get(participant=world.tess)
    _, (other,) = plan_for(world, enrolment=tess, goals=1)
    plan_for(world)
    signed_in(client, world.alice)
    assert client.get(url(world, "goal_edit", other.pk)).status_code == 404


@pytest.mark.parametrize("name", ["goal_edit", "goal_status", "step_add", "step_edit"])
def test_a_form_that_shows_her_goal_audits_the_read(client, world, name: str) -> None:
    _, (goal,) = plan_for(world, goals=1)
    target = goal.steps.get() if name == "step_edit" else goal
    signed_in(client, world.alice)
    page = client.get(url(world, name, target.pk)).content.decode()
    assert "Goal number 0" in page
    assert AuditEntry.objects.filter(
        action="view",
        actor_username="alice",
        participant_id=str(world.rosa.pk),
        object_id=str(target.pk),
    ).exists()


def test_the_print_page_holds_her_plan_and_nothing_private_or_anyone_elses(client, world) -> None:
    plan_for(world)
    tess = Enrolment.objects.get(participant=world.tess)
    tess_plan, _ = plan_for(world, enrolment=tess, goals=1)
    tess_plan.her_words = "Tess wants something else"
    tess_plan.save()
    world.rosa_enrolment.move_to(world.program.active_phases()[1], by=world.alice)
    from doorway.plans.actions import record_review

    record_review(
        world.rosa_enrolment,
        by=world.alice,
        reviewed_on=days_ago(0),
        decided="Internal: discussed her ex in supervision",
        focus_areas=areas(world)[:2],
    )
    signed_in(client, world.alice)
    page = client.get(url(world, "plan_print")).content.decode()
    assert world.rosa.preferred_name in page
    assert HER_WORDS in page
    assert "Goal number 1" in page
    assert "Step for goal 0" in page
    assert areas(world)[0].name in page
    assert world.program.name in page
    assert PRIVATE not in page
    assert "Internal: discussed" not in page
    assert "Tess" not in page
    assert world.rosa.legal_name not in page
    assert world.rosa.code not in page
    assert "style=" not in page
    assert "<script" not in page
    assert AuditEntry.objects.filter(action="view", detail__printed=True).exists()


def test_a_phase_change_makes_the_review_due_on_both_pages_until_reviewed(client, world) -> None:
    plan_for(world)
    world.rosa_enrolment.move_to(world.program.active_phases()[1], by=world.alice)
    signed_in(client, world.alice)
    for page_url in (enrolment_page(world), url(world, "plan_detail")):
        page = client.get(page_url).content.decode()
        assert "Plan review due since" in page
        assert f'<time datetime="{days_ago(0):%Y-%m-%d}">' in page
        assert url(world, "plan_review") in page
    response = post_form(
        client,
        url(world, "plan_review"),
        {
            "reviewed_on": days_ago(0).isoformat(),
            "decided": "Agreed to focus on housing",
            "focus_areas": [areas(world)[1].pk],
        },
    )
    assert response.status_code == 302
    assert PlanReview.objects.get().prompted_by is not None
    assert "Plan review due" not in client.get(enrolment_page(world)).content.decode()


def test_the_move_message_says_a_plan_review_is_due(client, world) -> None:
    plan_for(world)
    signed_in(client, world.alice)
    phase = world.program.active_phases()[1]
    response = client.post(
        reverse("enrolment_move", args=[world.rosa_enrolment.pk]),
        {
            "move": f"phase:{phase.pk}",
            "on": days_ago(0).isoformat(),
            "reason": "",
            "confirmed": "yes",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "A plan review is now due" in page
    assert f'href="{url(world, "plan_review")}"' in page


def test_the_section_counts_goals_by_status(client, world) -> None:
    plan_for(world, goals=3)
    signed_in(client, world.morgan)
    page = client.get(enrolment_page(world)).content.decode()
    assert 'id="plan"' in page
    assert "Not started: 3" in page
    assert "Goal number 0" not in page  # her words stay on the plan page


def seed_goals(world: World, count: int) -> None:
    plan_for(world, goals=count)
    world.rosa_enrolment.move_to(world.program.active_phases()[1], by=world.alice)


# The same ceilings for 2 and for 20 goals: no query per goal.
PLAN_PAGE_QUERIES = 25


@pytest.mark.parametrize("count", [2, 20])
def test_the_plan_page_costs_the_same_queries_for_2_or_20_goals(
    client, world, count: int, django_assert_max_num_queries
) -> None:
    seed_goals(world, count)
    signed_in(client, world.alice)
    client.get(url(world, "plan_detail"))
    with django_assert_max_num_queries(PLAN_PAGE_QUERIES):
        response = client.get(url(world, "plan_detail"))
    assert response.content.decode().count('class="border-bottom py-2 goal"') == count
    with django_assert_max_num_queries(PLAN_PAGE_QUERIES):
        client.get(url(world, "plan_print"))


@pytest.mark.parametrize("count", [2, 20])
def test_the_plan_section_costs_the_same_queries_for_2_or_20_goals(
    rf, world, count: int, django_assert_num_queries
) -> None:
    from doorway.plans.views import plan_section

    seed_goals(world, count)
    request = rf.get("/")
    request.user = world.alice
    enrolment = Enrolment.objects.select_related("cycle__program", "current_phase").get(
        pk=world.rosa_enrolment.pk
    )
    with django_assert_num_queries(4):
        section = plan_section(request, enrolment)
    assert section is not None
    assert section["plans_goal_total"] == count

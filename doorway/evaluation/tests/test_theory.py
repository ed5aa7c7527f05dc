"""The theory of change: Exit Doors Here's template, the actions' rules, the live
indicators (consenting women only), the contribution story's flags, the pages, and key
ingredients on contacts."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from doorway.casework.actions import edit_contact, record_contact
from doorway.casework.models import ContactKind
from doorway.conftest import World
from doorway.dropins.models import Attendance, GroupSession, SessionKind
from doorway.evaluation import exit_doors_here
from doorway.evaluation.models import ChangeLink, ChangeStep, EvidenceRating, StepKind
from doorway.evaluation.tests.records import days_ago, rate, woman
from doorway.evaluation.theory import actions as theory
from doorway.instruments.models import Timepoint
from doorway.programs.models import KeyIngredient
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def ingredients(program) -> dict[str, KeyIngredient]:
    return {
        slug: KeyIngredient.objects.create(program=program, slug=slug, name=name)
        for slug, name in [
            ("trust-building", "Trust building"),
            ("weekly-drop-in", "Weekly drop-in"),
        ]
    }


def steps(world: World) -> dict[str, ChangeStep]:
    exit_doors_here.install(world.program)
    return {s.key: s for s in ChangeStep.objects.filter(program=world.program)}


# --- The template ------------------------------------------------------------------------


def test_installing_exit_doors_here_twice_adds_nothing_the_second_time(world: World) -> None:
    exit_doors_here.install(world.program)
    counts = (ChangeStep.objects.count(), ChangeLink.objects.count())
    exit_doors_here.install(world.program)
    assert (ChangeStep.objects.count(), ChangeLink.objects.count()) == counts
    kinds = set(ChangeStep.objects.values_list("kind", flat=True))
    assert kinds == set(StepKind.values)
    activities = set(
        ChangeStep.objects.filter(kind=StepKind.ACTIVITY).values_list("key", flat=True)
    )
    assert {"outreach", "intake", "case-management", "drop-ins", "peer-mentoring"} <= activities
    for link in ChangeLink.objects.all():
        assert link.assumptions
        assert link.risks
        assert link.alternative_explanations
        assert link.target.rank >= link.source.rank


def test_the_template_offers_only_indicators_the_program_computes(world: World) -> None:
    exit_doors_here.install(world.program)  # no key ingredients in the test program
    offered = set(theory.indicators_for(world.program))
    from doorway.evaluation.models import LinkIndicator

    assert set(LinkIndicator.objects.values_list("indicator", flat=True)) <= offered


# --- Actions -------------------------------------------------------------------------------


def test_a_link_goes_forward_between_two_steps_once(world: World) -> None:
    s = steps(world)
    with pytest.raises(ValidationError) as err:
        theory.add_link(
            world.program, by=world.eve, source=s["left-sex-work"], target=s["outreach"]
        )
    assert "earlier" in str(err.value.message_dict["target"])
    with pytest.raises(ValidationError) as err:
        theory.add_link(world.program, by=world.eve, source=s["trust"], target=s["trust"])
    assert "itself" in str(err.value)
    with pytest.raises(ValidationError) as err:
        theory.add_link(
            world.program, by=world.eve, source=s["outreach"], target=s["women-engaged"]
        )
    assert "already linked" in str(err.value)
    link = theory.add_link(
        world.program, by=world.morgan, source=s["outreach"], target=s["trust"], risks="Fear"
    )
    assert link.risks == "Fear"


def test_a_step_of_another_program_cannot_be_linked(world: World) -> None:
    s = steps(world)
    other = ChangeStep.objects.create(
        program=world.other_program, kind=StepKind.OUTPUT, key="x", title="Elsewhere"
    )
    with pytest.raises(ValidationError) as err:
        theory.add_link(world.program, by=world.eve, source=s["outreach"], target=other)
    assert "target" in err.value.message_dict


def test_a_step_cannot_change_kind_against_its_links(world: World) -> None:
    s = steps(world)
    with pytest.raises(ValidationError) as err:
        theory.edit_step(s["outreach"], by=world.eve, kind=StepKind.LONG_TERM)
    assert "kind" in err.value.message_dict


@pytest.mark.parametrize("who", ["alice", "pat", "ada", "olive"])
def test_only_the_programs_managers_and_evaluators_edit_its_theory(world: World, who) -> None:
    with pytest.raises(PermissionDenied):
        theory.add_step(
            world.program, by=getattr(world, who), kind=StepKind.ACTIVITY, title="Outreach"
        )
    assert not ChangeStep.objects.exists()


def test_rating_a_link_needs_a_reason(world: World) -> None:
    s = steps(world)
    link = ChangeLink.objects.get(source=s["outreach"], target=s["women-engaged"])
    with pytest.raises(ValidationError) as err:
        theory.rate_link(link, by=world.eve, rating=EvidenceRating.STRONG, note=" ")
    assert "rating_note" in err.value.message_dict
    theory.rate_link(link, by=world.eve, rating=EvidenceRating.MODERATE, note="Counts agree")
    link.refresh_from_db()
    assert (link.rating, link.rated_by) == (EvidenceRating.MODERATE, world.eve)


def test_an_excerpt_naming_a_participant_is_refused(world: World) -> None:
    s = steps(world)
    link = ChangeLink.objects.get(source=s["outreach"], target=s["women-engaged"])
    for text in ["Rosa came back every week.", "I think Rosa's trust grew."]:
        with pytest.raises(ValidationError) as err:
            theory.add_excerpt(link, by=world.eve, interviewee="staff", text=text)
        assert "name of a participant" in str(err.value)
        # The message never repeats the name.
        assert "Rosa" not in str(err.value)
    excerpt = theory.add_excerpt(
        link, by=world.eve, interviewee="peer_mentor", text="She came back every week."
    )
    assert excerpt.text == "She came back every week."


def test_a_refused_name_in_an_excerpt_is_audited_without_the_text(world: World) -> None:
    # The refusal says "a participant has this name": probing with it must show in the
    # audit log, which keeps that it happened and never what was typed.
    from doorway.audit.models import Action, AuditEntry

    s = steps(world)
    link = ChangeLink.objects.get(source=s["outreach"], target=s["women-engaged"])
    with pytest.raises(ValidationError):
        theory.add_excerpt(link, by=world.eve, interviewee="staff", text="Rosa came back.")
    excerpt = theory.add_excerpt(link, by=world.eve, interviewee="staff", text="She came.")
    with pytest.raises(ValidationError):
        theory.edit_excerpt(excerpt, by=world.eve, text="Rosa came.")
    refused = AuditEntry.objects.filter(action=Action.REFUSED, actor_username="eve")
    assert refused.count() == 2
    assert all("Rosa" not in str(e.detail) + e.reason for e in refused)
    excerpt.refresh_from_db()
    assert excerpt.text == "She came."


def test_an_excerpt_is_coded_to_its_own_programs_ingredients(world: World) -> None:
    s = steps(world)
    link = ChangeLink.objects.get(source=s["outreach"], target=s["women-engaged"])
    mine = ingredients(world.program)["trust-building"]
    theirs = KeyIngredient.objects.create(program=world.other_program, slug="t", name="T")
    with pytest.raises(ValidationError) as err:
        theory.add_excerpt(link, by=world.eve, interviewee="staff", text="x", mechanisms=[theirs])
    assert "mechanisms" in err.value.message_dict
    excerpt = theory.add_excerpt(
        link, by=world.eve, interviewee="staff", text="Trust first.", mechanisms=[mine]
    )
    theory.edit_excerpt(excerpt, by=world.morgan, mechanisms=[])
    assert not excerpt.mechanisms.exists()


def test_indicators_come_from_the_registry_once_per_link(world: World) -> None:
    s = steps(world)
    link = ChangeLink.objects.get(source=s["outreach"], target=s["women-engaged"])
    with pytest.raises(ValidationError):
        theory.add_indicator(link, by=world.eve, indicator="typed-in-figure")
    theory.add_indicator(link, by=world.eve, indicator="dropin-attendance")
    with pytest.raises(ValidationError):
        theory.add_indicator(link, by=world.eve, indicator="dropin-attendance")


# --- Indicators: consenting women only ---------------------------------------------------


def test_progress_counts_consenting_women_with_a_baseline_and_a_later_rating(world) -> None:
    cycle = world.rosa_enrolment.cycle
    up, flat, no_later, refused, withdrawn = (
        woman(world, cycle),
        woman(world, cycle),
        woman(world, cycle),
        woman(world, cycle, research="no"),
        woman(world, cycle, research="withdrawn"),
    )
    for e, later in [(up, 6), (flat, 3), (refused, 9), (withdrawn, 9)]:
        rate(e, {"support-networks": 3}, ago=30, timepoint=Timepoint.INTAKE)
        rate(e, {"support-networks": later}, ago=5, timepoint=Timepoint.GRADUATION)
    rate(no_later, {"support-networks": 3}, ago=30, timepoint=Timepoint.INTAKE)
    figure = theory.progressed_in(world.program, "support-networks")
    assert (figure.numerator, figure.denominator) == (1, 2)
    assert str(figure) == "1 of 2 (50%)"


def test_ingredient_counts_count_consenting_womens_tagged_contacts(world: World) -> None:
    tags = ingredients(world.program)
    cycle = world.rosa_enrolment.cycle
    yes, no = woman(world, cycle), woman(world, cycle, research="no")
    for enrolment in (yes, yes, no):
        record_contact(
            enrolment,
            by=world.alice,
            happened_on=timezone.localdate(),
            duration_minutes=30,
            kind=ContactKind.INDIVIDUAL_COUNSELLING,
            note="Talked about housing.",
            ingredients=[tags["trust-building"]],
        )
    assert theory.ingredient_counts(world.program) == {"trust-building": 2, "weekly-drop-in": 0}


def test_dropin_attendance_per_consenting_woman(world: World) -> None:
    cycle = world.rosa_enrolment.cycle
    yes, no = woman(world, cycle), woman(world, cycle, research="no")
    session = GroupSession.objects.create(
        program=world.program, kind=SessionKind.DROP_IN, held_on=days_ago(3), created_by=world.pat
    )
    for enrolment in (yes, no):
        Attendance.objects.create(session=session, enrolment=enrolment, recorded_by=world.pat)
    figure = theory.dropin_attendance(world.program)
    assert (figure.numerator, figure.denominator) == (1, 1)


# --- The contribution story ---------------------------------------------------------------


def test_the_story_flags_weak_or_missing_evidence_link_by_link(world: World) -> None:
    s = steps(world)
    link = ChangeLink.objects.get(source=s["outreach"], target=s["women-engaged"])
    story = theory.contribution_story(world.program)
    flagged = {e.link.pk: e.flags for e in story["weak"]}
    assert "Not rated yet" in flagged[link.pk]
    assert "No evidence attached" in flagged[link.pk]
    assert [o.key for o in story["outcomes"]] == ["left-sex-work", "new-life"]

    theory.rate_link(link, by=world.eve, rating=EvidenceRating.WEAK, note="Only one source")
    story = theory.contribution_story(world.program)
    flags = next(e.flags for e in story["weak"] if e.link.pk == link.pk)
    assert "Evidence rated weak" in flags
    assert any(e.link.pk == link.pk for e in story["to_revise"])

    theory.add_reference(link, by=world.eve, citation="Mayne 2008")
    theory.add_excerpt(link, by=world.eve, interviewee="staff", text="They trust us.")
    theory.add_indicator(link, by=world.eve, indicator="graduated")
    woman(world, world.rosa_enrolment.cycle, exit_reason="graduated")
    theory.rate_link(link, by=world.eve, rating=EvidenceRating.STRONG, note="Three sources")
    story = theory.contribution_story(world.program)
    assert any(e.link.pk == link.pk for e in story["strong"])
    assert not any(e.link.pk == link.pk for e in story["to_seek"])


# --- Pages ----------------------------------------------------------------------------------


def test_the_theory_page_reads_as_a_nested_list_with_its_evidence(client, world) -> None:
    s = steps(world)
    link = ChangeLink.objects.get(source=s["outreach"], target=s["women-engaged"])
    theory.add_reference(link, by=world.eve, citation="Mayne 2008, ILAC Brief 16")
    signed_in(client, world.eve)
    page = client.get(reverse("theory_detail", args=[world.program.pk])).content.decode()
    assert "Outreach" in page
    assert "Mayne 2008, ILAC Brief 16" in page
    assert "Activities</h2>" in page
    assert "Long-term outcomes</h2>" in page
    assert "Alternative explanations considered" in page
    story = client.get(reverse("theory_story", args=[world.program.pk])).content.decode()
    for n in range(1, 7):
        assert f'id="story-step-{n}"' in story
    assert "Not rated yet" in story


def test_an_evaluator_adds_a_step_through_the_form(client, world: World) -> None:
    signed_in(client, world.eve)
    url = reverse("theory_step_add", args=[world.program.pk])
    response = client.post(url, {"kind": "", "title": "", "order": "0"})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    response = client.post(url, {"kind": "activity", "title": "Court support", "order": "3"})
    assert response.status_code == 302
    assert ChangeStep.objects.get(program=world.program).title == "Court support"


def test_a_case_manager_is_refused_the_theory(client, world: World) -> None:
    signed_in(client, world.alice)
    assert client.get(reverse("theory_detail", args=[world.program.pk])).status_code == 403


# --- Key ingredients on contacts ----------------------------------------------------------


def test_the_care_team_tags_a_contact_and_the_list_shows_it(client, world: World) -> None:
    tags = ingredients(world.program)
    signed_in(client, world.alice)
    url = reverse("contact_record", args=[world.rosa_enrolment.pk])
    assert "Key ingredients at work" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "happened_on": timezone.localdate().isoformat(),
            "duration_minutes": "40",
            "kind": "counselling",
            "note": "Went through her goals.",
            "ingredients": [str(tags["weekly-drop-in"].pk)],
        },
    )
    assert response.status_code == 302
    contact = world.rosa_enrolment.contacts.get()
    assert list(contact.ingredients.all()) == [tags["weekly-drop-in"]]
    page = client.get(reverse("enrolment_detail", args=[world.rosa_enrolment.pk]))
    assert "Key ingredients: Weekly drop-in" in page.content.decode()


def test_a_contact_is_tagged_with_her_programs_ingredients_only(world: World) -> None:
    ingredients(world.program)
    theirs = KeyIngredient.objects.create(program=world.other_program, slug="t", name="T")
    with pytest.raises(ValidationError) as err:
        record_contact(
            world.rosa_enrolment,
            by=world.alice,
            happened_on=timezone.localdate(),
            duration_minutes=30,
            kind=ContactKind.INDIVIDUAL_COUNSELLING,
            note="x",
            ingredients=[theirs],
        )
    assert "her program only" in str(err.value.message_dict["ingredients"])


def test_a_peer_mentor_does_not_tag_ingredients(client, world: World) -> None:
    tags = ingredients(world.program)
    with pytest.raises(ValidationError) as err:
        record_contact(
            world.rosa_enrolment,
            by=world.pat,
            happened_on=timezone.localdate(),
            duration_minutes=30,
            kind=ContactKind.PEER_CONTACT,
            ingredients=[tags["trust-building"]],
        )
    assert "ingredients" in err.value.message_dict
    signed_in(client, world.pat)
    form = client.get(reverse("contact_record", args=[world.rosa_enrolment.pk]))
    assert "Key ingredients at work" not in form.content.decode()


def test_editing_a_contact_changes_its_ingredients(world: World) -> None:
    tags = ingredients(world.program)
    contact = record_contact(
        world.rosa_enrolment,
        by=world.alice,
        happened_on=timezone.localdate(),
        duration_minutes=30,
        kind=ContactKind.INDIVIDUAL_COUNSELLING,
        note="x",
    )
    edit_contact(contact, by=world.alice, ingredients=[tags["trust-building"]])
    assert list(contact.ingredients.all()) == [tags["trust-building"]]

"""A fidelity review: drawn from the computed fidelity's population with a recorded
seed (the same seed and population, the same sample), each record shown without what
names her, with the very facts its computed verdicts read; rated item by item (bad
input refused, nothing saved); audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.enrolments.models import Enrolment
from doorway.evaluation.cohort import Cohort
from doorway.evaluation.fidelity import fidelity_report
from doorway.fidelity_review import actions, evidence, queries
from doorway.fidelity_review.models import FidelityReview, ItemRating, SampledRecord
from doorway.people.models import ConsentKind
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def drawn(world: World, review: FidelityReview) -> list[str]:
    return [
        str(r.enrolment_id)
        for r in SampledRecord.objects.filter(review=review).order_by("position")
    ]


def test_the_same_seed_and_population_draw_the_same_sample(
    world: World, women: list[Enrolment]
) -> None:
    first = actions.draw(world.program, by=world.morgan, sample_size=4, seed=12345)
    again = actions.draw(
        world.program, by=world.eve, sample_size=4, seed=12345, cohort=Cohort(world.program)
    )
    other = actions.draw(world.program, by=world.morgan, sample_size=4, seed=54321)
    assert drawn(world, first) == drawn(world, again)
    assert drawn(world, first) != drawn(world, other)
    assert (first.seed, first.sample_size, first.population_size) == (12345, 4, 6)
    assert [r.position for r in first.records.order_by("position")] == [1, 2, 3, 4]


def test_the_population_is_the_computed_fidelitys(world: World, women: list[Enrolment]) -> None:
    review = actions.draw(world.program, by=world.morgan, sample_size=6, seed=1)
    # Everyone in it: the six with research consent who reached phase 1; never the woman
    # without research consent, nor Rosa, Tess and Uma, who have not reached phase 1.
    assert set(drawn(world, review)) == {str(e.pk) for e in women}
    assert review.population_size == fidelity_report(Cohort(world.program))["participants_assessed"]


def test_a_seed_is_chosen_and_recorded_when_none_is_given(
    world: World, women: list[Enrolment]
) -> None:
    review = actions.draw(world.program, by=world.morgan, sample_size=3)
    assert review.seed > 0
    assert drawn(world, review) == drawn(
        world, actions.draw(world.program, by=world.morgan, sample_size=3, seed=review.seed)
    )
    entry = AuditEntry.objects.get(action="create", object_id=str(review.pk))
    assert entry.detail["seed"] == review.seed
    assert entry.detail["population_size"] == 6


@pytest.mark.parametrize("size", [0, 7, -1])
def test_a_sample_size_out_of_range_is_refused_and_nothing_drawn(
    world: World, women: list[Enrolment], size: int
) -> None:
    with pytest.raises(actions.Refused) as refused:
        actions.draw(world.program, by=world.morgan, sample_size=size, seed=3)
    assert "sample_size" in refused.value.errors
    assert not FidelityReview.objects.exists()


def test_the_computed_verdicts_are_the_evaluations_and_the_evidence_names_nobody(
    world: World, women: list[Enrolment]
) -> None:
    review = actions.draw(world.program, by=world.morgan, sample_size=6, seed=7)
    report = fidelity_report(Cohort(world.program), today=review.drawn_on)
    by_code = {p["code"]: p["items"] for p in report["participants"]}
    for sampled in review.records.select_related("enrolment__participant"):
        her = sampled.enrolment.participant
        assert sampled.computed == by_code[her.code]
        shown = repr(sampled.facts) + repr(evidence.items(sampled.facts))
        for identifying in (her.code, her.preferred_name, her.legal_name, str(her.pk)):
            assert identifying
            assert identifying not in shown
        assert str(sampled.enrolment.referred_on.year) not in shown


def test_the_evidence_shows_the_counts_the_verdict_read(
    world: World, women: list[Enrolment]
) -> None:
    review = actions.draw(world.program, by=world.morgan, sample_size=6, seed=7)
    none = review.records.get(enrolment=women[2])  # no contacts at all
    facts = evidence.evidence(none.facts)
    assert none.computed["first_month_contacts"] == "fail"
    assert "(the first 30 days of phase 1): 0." in facts["first_month_contacts"][0]
    kept = review.records.get(enrolment=women[0])
    assert kept.computed["community_meetings"] == "pass"
    assert evidence.evidence(kept.facts)["community_meetings"][0].endswith(": 4.")
    unlinked = review.records.get(enrolment=women[3])
    assert unlinked.computed["early_linking"] == "fail"
    assert evidence.evidence(unlinked.facts)["early_linking"][0].endswith(": 0.")


def rating_url(world: World, review: FidelityReview, position: int) -> str:
    return reverse("fidelity_review_record", args=[world.program.slug, review.pk, position])


def test_she_rates_a_record_and_it_is_saved_and_audited(
    client, world: World, women: list[Enrolment]
) -> None:
    review = actions.draw(world.program, by=world.morgan, sample_size=3, seed=5)
    signed_in(client, world.morgan)
    page = client.get(rating_url(world, review, 2))
    assert page.status_code == 200
    assert "Record 2 of 3" in page.content.decode()
    response = client.post(
        rating_url(world, review, 2),
        {"nine_months": "met", "equal_phases": "cant_tell", "next": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == rating_url(world, review, 3)
    sampled = review.records.get(position=2)
    assert dict(sampled.ratings.values_list("item", "rating")) == {
        "nine_months": "met",
        "equal_phases": "cant_tell",
    }
    entry = AuditEntry.objects.filter(action="change", object_id=str(sampled.pk)).get()
    assert entry.detail["ratings"] == {"nine_months": "met", "equal_phases": "cant_tell"}
    assert entry.participant_id == str(sampled.enrolment.participant_id)
    assert AuditEntry.objects.filter(action="view", object_id=str(sampled.pk)).exists()


def test_a_bad_rating_is_refused_and_nothing_is_saved(
    client, world: World, women: list[Enrolment]
) -> None:
    review = actions.draw(world.program, by=world.morgan, sample_size=3, seed=5)
    signed_in(client, world.morgan)
    response = client.post(
        rating_url(world, review, 1), {"nine_months": "met", "equal_phases": "perhaps"}
    )
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert not ItemRating.objects.exists()
    with pytest.raises(actions.Refused):
        actions.rate(review.records.get(position=1), by=world.morgan, ratings={"no_such": "met"})
    assert not ItemRating.objects.exists()


def test_the_page_draws_and_shows_the_results(
    client, world: World, women: list[Enrolment], any_cohort_size: None
) -> None:
    signed_in(client, world.eve)
    url = reverse("fidelity_reviews", args=[world.program.slug])
    assert client.post(url, {"sample_size": "99"}).status_code == 400
    assert client.post(url, {"sample_size": "3", "seed": "-4"}).status_code == 400
    assert not FidelityReview.objects.exists()
    response = client.post(url, {"sample_size": "3", "seed": "42"})
    review = FidelityReview.objects.get()
    assert response["Location"] == reverse("fidelity_review", args=[world.program.slug, review.pk])
    assert (review.seed, review.drawn_by) == (42, world.eve)
    for sampled in review.records.all():
        actions.rate(
            sampled,
            by=world.eve,
            ratings={
                "nine_months": "met" if sampled.computed["nine_months"] == "pass" else "not_met"
            },
        )
    page = client.get(reverse("fidelity_review_results", args=[world.program.slug, review.pk]))
    assert page.status_code == 200
    assert "Cohen" in page.content.decode()


def test_a_record_whose_research_consent_is_withdrawn_is_left_out(
    client, world: World, women: list[Enrolment]
) -> None:
    review = actions.draw(world.program, by=world.morgan, sample_size=6, seed=9)
    leaving = review.records.get(position=2)
    consent = leaving.enrolment.participant.consents.get(kind=ConsentKind.EVALUATION)
    consent.withdrawn_on = review.drawn_on
    consent.save()
    signed_in(client, world.morgan)
    assert client.get(rating_url(world, review, 2)).status_code == 404
    page = client.get(reverse("fidelity_review", args=[world.program.slug, review.pk]))
    assert "record 2." in page.content.decode()
    results = client.get(reverse("fidelity_review_results", args=[world.program.slug, review.pk]))
    assert "5 records shown" in results.content.decode()


@pytest.mark.parametrize("who", ["alice", "pat", "ada"])
def test_other_roles_are_refused(client, world: World, women: list[Enrolment], who: str) -> None:
    review = actions.draw(world.program, by=world.morgan, sample_size=2, seed=5)
    signed_in(client, world.staff()[who])
    for url in (
        reverse("fidelity_reviews", args=[world.program.slug]),
        reverse("fidelity_review", args=[world.program.slug, review.pk]),
        rating_url(world, review, 1),
        reverse("fidelity_review_results", args=[world.program.slug, review.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(rating_url(world, review, 1), {"nine_months": "met"}).status_code == 403
    assert not ItemRating.objects.exists()


def test_an_evaluator_of_another_program_gets_404(
    client, world: World, women: list[Enrolment]
) -> None:
    from doorway.people.roles import Role
    from doorway.testing.factories import UserFactory

    stranger = UserFactory(
        username="evan",
        role=Role.EVALUATOR,
        agency=world.other_agency,
        programs=[world.other_program],
    )
    review = actions.draw(world.program, by=world.morgan, sample_size=2, seed=5)
    signed_in(client, stranger)
    refused = AuditEntry.objects.filter(action="refused").count()
    assert client.get(reverse("fidelity_reviews", args=[world.program.slug])).status_code == 404
    # Her own program's address with this review's id: still 404.
    url = reverse("fidelity_review", args=[world.other_program.slug, review.pk])
    assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(action="refused").count() == refused + 2


def test_the_evaluations_fidelity_section_links_to_the_reviews(world: World) -> None:
    from django.template.loader import render_to_string

    html = render_to_string(
        "evaluation/_fidelity.html",
        {
            "program": world.program,
            "fidelity": {"population": "", "participants_assessed": 0, "items": []},
        },
    )
    assert reverse("fidelity_reviews", args=[world.program.slug]) in html


def test_erasing_her_removes_her_sampled_record_and_its_ratings(
    world: World, women: list[Enrolment]
) -> None:
    from doorway.erasure.eraser import erase_participant

    review = actions.draw(world.program, by=world.morgan, sample_size=6, seed=4)
    hers = review.records.get(enrolment=women[1])
    actions.rate(hers, by=world.morgan, ratings={"nine_months": "not_met"})
    erase_participant(women[1].participant)
    assert not SampledRecord.objects.filter(pk=hers.pk).exists()
    assert not ItemRating.objects.filter(record_id=hers.pk).exists()
    assert queries.sample_of(review).left_out == [hers.position]

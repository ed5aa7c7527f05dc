"""Disclosure control for everyone without record access (`disclosure`): an evaluator
and the funder report see whole cycles of at least `MINIMUM_COHORT` consenting women,
counts perturbed the same way every time and small ones "<5"; a program manager keeps
the exact figures and every filter."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from doorway.audit.models import AuditEntry
from doorway.evaluation import disclosure
from doorway.evaluation.cohort import Cohort
from doorway.evaluation.report import evaluation_report
from doorway.evaluation.tests.records import days_ago, involvement, rate, woman
from doorway.instruments.models import Timepoint
from doorway.testing.factories import CycleFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db
ALONE_ON = days_ago(200)


@pytest.fixture
def cycle_of_ten(world):
    """Ten consenting women in Cycle 1, one of them alone on her referral date and
    "always" involved at intake; the others "often"."""
    cycle = world.rosa_enrolment.cycle
    for i in range(9):
        her = woman(world, cycle, referred_on=days_ago(100 + i))
        involvement(her, "often", ago=90, timepoint=Timepoint.INTAKE)
    alone = woman(world, cycle, referred_on=ALONE_ON)
    involvement(alone, "always", ago=190, timepoint=Timepoint.INTAKE)
    return cycle


def page(world, name="evaluation_page"):
    return reverse(name, args=[world.program.slug])


def outcomes(world):
    return f"/api/v1/evaluation/{world.program.slug}/outcomes/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_one_woman_cohort_is_refused_to_an_evaluator_naming_what_is_not_accepted(
    client, world, cycle_of_ten
) -> None:
    one_day = {"enrolled_from": ALONE_ON.isoformat(), "enrolled_to": ALONE_ON.isoformat()}
    signed_in(client, world.eve)
    response = client.get(page(world), one_day)
    assert response.status_code == 400
    html = response.content.decode()
    assert "enrolled_from" in html
    assert "enrolled_to" in html
    assert "whole cycles only" in html
    assert "Always" not in html  # no table of her answers
    assert "chart-involvement" not in html
    answer = api(world.eve).get(outcomes(world), {**one_day, "phase_reached": "1"})
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"enrolled_from", "enrolled_to", "phase_reached"}
    # Refused, so nothing was read: no audited view of the outcomes.
    assert not AuditEntry.objects.filter(detail__api="evaluation.outcomes").exists()


def test_a_misspelt_parameter_is_refused_rather_than_ignored(world, cycle_of_ten) -> None:
    response = api(world.eve).get(outcomes(world), {"cycle": str(cycle_of_ten.pk)})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["cycle"]


def test_a_cycle_below_the_minimum_is_refused_and_left_out_of_all_cycles(
    client, world, cycle_of_ten
) -> None:
    small = CycleFactory(program=world.program, name="Cycle 2", starts_on=days_ago(60))
    newcomer = woman(world, small, referred_on=days_ago(50))
    involvement(newcomer, "always", ago=45, timepoint=Timepoint.INTAKE)
    signed_in(client, world.eve)
    refused = client.get(page(world), {"cycles": [small.pk]})
    assert refused.status_code == 400
    assert "Cycle 2 has fewer than 10 women" in refused.content.decode()
    refused = api(world.eve).get(outcomes(world), {"cycles": [str(small.pk)]})
    assert refused.status_code == 400
    assert "cycles" in refused.json()["errors"]
    # "All cycles" is Cycle 1 alone: the same figures as asking for it by name.
    everyone = api(world.eve).get(outcomes(world)).json()
    cycle_1 = api(world.eve).get(outcomes(world), {"cycles": [str(cycle_of_ten.pk)]}).json()
    assert everyone["involvement"] == cycle_1["involvement"]
    assert everyone["cohort"]["cycles"] == ["Cycle 1"]
    response = client.get(page(world))
    assert "Not yet in any figure (too few consenting women): Cycle 2." in (
        response.content.decode()
    )


def test_a_program_too_small_to_publish_says_so_and_shows_no_figure(client, world) -> None:
    woman(world, world.rosa_enrolment.cycle)
    signed_in(client, world.eve)
    for name in ("evaluation_page", "funder_report", "research_export"):
        response = client.get(page(world, name))
        assert response.status_code == 200
        html = response.content.decode()
        assert "No cycle of this program has yet 10 women" in html
        assert "<table" not in html
    assert api(world.eve).get(outcomes(world)).status_code == 400


def test_published_counts_are_perturbed_the_same_way_every_time(world, cycle_of_ten) -> None:
    truth = evaluation_report(Cohort(world.program, cycles=(cycle_of_ten,)))
    first = api(world.eve).get(outcomes(world)).json()
    for _ in range(3):
        assert api(world.eve).get(outcomes(world)).json() == first
    (intake,) = [row for row in first["involvement"] if row["timepoint"] == "intake"]
    shown = {a["code"]: a["count"] for a in intake["answers"]}
    exact = truth["involvement"]["at"]["intake"]
    assert shown["often"] == "<5" or abs(shown["often"] - exact["often"]) <= 2
    assert shown["always"] == "<5"  # one woman: at most 3 once perturbed
    assert shown["not_at_all"] == 0  # nobody is nobody


def test_the_funder_report_is_published_even_for_a_program_manager(
    client, world, cycle_of_ten
) -> None:
    signed_in(client, world.morgan)
    refused = client.get(page(world, "funder_report"), {"enrolled_to": ALONE_ON.isoformat()})
    assert refused.status_code == 400
    html = client.get(page(world, "funder_report")).content.decode()
    assert "Disclosure control" in html


def test_a_program_manager_keeps_exact_figures_and_every_filter(
    client, world, cycle_of_ten
) -> None:
    signed_in(client, world.morgan)
    one_day = {"enrolled_from": ALONE_ON.isoformat(), "enrolled_to": ALONE_ON.isoformat()}
    response = client.get(page(world), one_day)
    assert response.status_code == 200
    assert response.context["report"]["involvement"]["at"]["intake"]["always"] == 1
    assert response.context["published"] is False


def test_the_cell_key_is_fixed_by_the_cohort_the_cell_and_the_count() -> None:
    keys = disclosure.keys_from(["a", "b", "c"], ["a", "b"])
    again = disclosure.keys_from(["c", "b", "a", "a"], ["b", "a"])
    assert keys == again  # a set of women, however it is read
    shown = {n: keys.perturbed("involvement/at/intake/often", n) for n in range(200)}
    assert shown[0] == 0
    assert all(abs(shown[n] - n) <= 2 and shown[n] >= 1 for n in range(1, 200))
    assert len({shown[n] - n for n in range(20, 200)}) > 1  # not one offset for all
    other = disclosure.keys_from(["a", "b", "c", "d"], ["a", "b"])
    moved = [n for n in range(20, 200) if other.perturbed("x", n) != keys.perturbed("x", n)]
    assert moved  # one more woman, other perturbations
    with override_settings(BLIND_INDEX_KEY="another server's key"):
        assert disclosure.keys_from(["a", "b", "c"], ["a", "b"]) != keys


def test_the_perturbation_table_is_centred() -> None:
    previous, mean = 0.0, 0.0
    for upper, change in disclosure.PERTURBATION:
        mean += (upper - previous) * change
        previous = upper
    assert previous == 1.0
    assert abs(mean) < 1e-9


def test_the_home_table_shows_an_evaluator_the_same_figures_as_the_program_page(
    world, cycle_of_ten
) -> None:
    """One cohort, one figure: reading it in two places gives two equal readings, not
    two perturbations to average."""
    for n, her in enumerate(cycle_of_ten.enrolments.filter(referred_on__lte=days_ago(100))):
        rate(her, {"support-networks": 3}, ago=80, timepoint=Timepoint.INTAKE)
        rate(her, {"support-networks": 3 + n % 3}, ago=20, timepoint=Timepoint.PHASE_CHANGE)
    page = api(world.eve).get(outcomes(world)).json()["focus_areas"]
    table = api(world.eve).get("/api/v1/evaluation/deployment/").json()["focus_areas"]
    mine = {r["slug"]: r for r in table if r["program"]["slug"] == world.program.slug}
    for row in page:
        shown = mine[row["slug"]]
        assert (shown["progressed"], shown["assessed"]) == (row["progressed"], row["assessed"])
        assert shown["percent"] == row["percent"]

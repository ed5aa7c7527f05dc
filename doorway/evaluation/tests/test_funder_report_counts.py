"""The funder report says whom it counts: the women enrolled, those who consented to the
research, and in each focus area those counted and those missing; each figure carries its
n and a sentence on how it is worked out, with the signed-rank test's result; and a bar
with nothing to draw says why, keeping "not shown (small numbers)" for the small-cell
rule alone."""

from __future__ import annotations

import html as html_module
import re
from typing import Any

import pytest
from django.urls import reverse

from doorway.evaluation import charts, snapshots
from doorway.evaluation.tests.fakes import fake_report
from doorway.evaluation.tests.records import rate, woman
from doorway.instruments.models import Timepoint
from doorway.testing.factories import CycleFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

SMALL = "not shown (small numbers)"


def text_of(page: str) -> str:
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html_module.unescape(page))


@pytest.fixture
def counted_cycle(world: Any) -> Any:
    """A cycle with no cost lines: 26 women enrolled, 20 of them consenting. In
    accommodation 10 are counted (8 up, 2 the same), 5 have only an intake rating and 5
    none; in every other area nobody is rated."""
    cycle = CycleFactory(program=world.program, name="Cycle 2")
    consenting = [woman(world, cycle) for _ in range(20)]
    for _ in range(6):
        woman(world, cycle, research="no")
    for n, enrolment in enumerate(consenting[:15]):
        rate(enrolment, {"accommodation": 3}, ago=30, timepoint=Timepoint.INTAKE)
        if n < 10:
            later = 6 if n < 8 else 3
            rate(enrolment, {"accommodation": later}, ago=5, timepoint=Timepoint.PHASE_CHANGE)
    return cycle


def funder_page(client: Any, world: Any, cycle: Any) -> str:
    signed_in(client, world.morgan)
    url = reverse("funder_report", args=[world.program.slug])
    response = client.get(url, {"cycles": str(cycle.pk)})
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_report_says_whom_it_counts_and_who_is_missing(
    client, world, counted_cycle, any_cohort_size, no_perturbation
) -> None:
    page = funder_page(client, world, counted_cycle)
    text = text_of(page)
    counted = text[: text.index("Progress by focus area")]
    assert "Women enrolled in these cycles: 26." in counted
    assert "women who consented to the evaluation research: 20 (of 26)" in counted
    assert (
        "Accommodation: 10 of 20 counted; 10 missing (5 with no intake rating, "
        "5 with no later rating)." in counted
    )
    others = [a for a in world.program.active_focus_areas() if a.slug != "accommodation"]
    assert others
    for area in others:
        assert (
            f"{area.local_name}: 0 of 20 counted; 20 missing (20 with no intake rating, "
            "0 with no later rating)." in counted
        )


def test_each_figure_has_its_n_and_its_test_in_plain_words(
    client, world, counted_cycle, any_cohort_size, no_perturbation
) -> None:
    page = funder_page(client, world, counted_cycle)
    text = text_of(page)
    # 8 of the 10 went up, 2 stayed: the exact p is 2/256, published as a band.
    assert (
        "Accommodation: n = 10; p < 0.01; r = 1.0. Ratings rose more than chance alone "
        "would explain." in text
    )
    svg = " ".join(re.findall(r"<svg\b.*?</svg>", page, flags=re.S))
    assert "80% (8 of 10)" in svg
    assert text.count("How it is worked out:") >= 2


def test_an_empty_area_and_a_cycle_without_costs_say_why_they_have_no_bar(
    client, world, counted_cycle, any_cohort_size, no_perturbation
) -> None:
    page = funder_page(client, world, counted_cycle)
    svg = " ".join(re.findall(r"<svg\b.*?</svg>", page, flags=re.S))
    assert "nobody assessed" in svg
    assert "no cost lines entered" in svg
    assert SMALL not in page
    assert "Not tested: nobody assessed." in text_of(page)


def test_small_numbers_is_said_only_where_a_count_is_suppressed(
    client, world, monkeypatch, any_cohort_size, no_perturbation
) -> None:
    report = fake_report(world.program.slug)
    report["focus_areas"].append(
        {**report["focus_areas"][1], "area": "Money", "slug": "money", "assessed": 0}
    )
    report["focus_areas"][-1]["progressed"] = 0
    report["cycles"].append(
        {**report["cycles"][0], "cycle": "Cycle 2", "operating_cost": None}
        | {"cost_per_participant": None, "cost_per_graduate": None}
    )
    _table, bars = charts.funder_progress(report)
    assert [b.text for b in bars] == ["63% (19 of 30)", SMALL, "nobody assessed"]
    _table, bars = charts.funder_costs(report)
    assert [b.text for b in bars] == [
        f"{charts.money('19549.97')} (30 enrolled)",
        "no cost lines entered",
    ]
    monkeypatch.setattr(snapshots, "build_report", lambda cohort: report)
    signed_in(client, world.morgan)
    page = client.get(reverse("funder_report", args=[world.program.slug])).content.decode()
    assert page.count(SMALL) == 1

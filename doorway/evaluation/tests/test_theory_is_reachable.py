"""The theory of change and the partner survey are reached from the evaluation: a crawl
from the evaluation menu, as an evaluator and as a program manager, finds both."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from doorway.conftest import World
from doorway.evaluation import snapshots
from doorway.evaluation.tests.fakes import fake_report
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshots, "build_report", lambda cohort: fake_report(cohort.program.slug))


def crawl(client: Any, start: str, depth: int) -> set[str]:
    """The paths reached by following links under /evaluation/ from `start`."""
    seen: set[str] = set()
    frontier = [start]
    for _ in range(depth):
        found: list[str] = []
        for path in frontier:
            if path in seen:
                continue
            seen.add(path)
            response = client.get(path, follow=True)
            if response.redirect_chain:
                seen.add(response.redirect_chain[-1][0])
            if response.status_code != 200 or "html" not in response["Content-Type"]:
                continue
            for href in re.findall(r'href="(/evaluation/[^"#?]*)', response.content.decode()):
                found.append(href)
        frontier = found
    return seen


@pytest.mark.parametrize("who", ["eve", "morgan"])
def test_a_crawl_from_the_evaluation_reaches_the_theory_and_the_survey(
    client: Any, world: World, fake: None, any_cohort_size: None, who: str
) -> None:
    signed_in(client, getattr(world, who))
    reached = crawl(client, reverse("evaluation_home"), depth=2)
    assert reverse("theory_detail", args=[world.program.pk]) in reached
    assert reverse("partner_survey") in reached

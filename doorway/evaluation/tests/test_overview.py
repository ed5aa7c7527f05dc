"""The evaluation starts with the answer: its first page says, in plain words and with
their n, how many women improved in each focus area and who is not counted, and where
the contribution story stands; each other part (outcomes, attendance and retention,
fidelity, costs) is a page of its own reached by a bar of plain links, holding that
part only, its statistics folded under "Details"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from doorway.conftest import World
from doorway.evaluation import snapshots, views
from doorway.evaluation.models import ChangeLink, EvidenceRating
from doorway.evaluation.tests.fakes import fake_report
from doorway.evaluation.theory import actions as theory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshots, "build_report", lambda cohort: fake_report(cohort.program.slug))


def page(client: Any, world: World, name: str = "evaluation_page", **query: Any) -> str:
    response = client.get(reverse(name, args=[world.program.slug]), query)
    assert response.status_code == 200, name
    return str(response.content.decode())


def main(html: str) -> str:
    """The page's own part: after the bar of links to the sections."""
    return html[html.index('id="evaluation-sections"') :]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def test_the_overview_opens_on_each_areas_answer_with_its_n(client, world, fake) -> None:
    signed_in(client, world.morgan)  # exact figures
    own = main(page(client, world))
    first = own[own.index("<section") : own.index("</section>")]
    assert 'id="answer"' in first
    said = text(first)
    assert "Referred: 40. Enrolled: 38." in said
    assert "(the women the outcomes count): 30." in said
    assert "Support networks: 19 of the 30 women assessed improved (63%)." in said
    assert "Not assessed: 2 without a baseline rating, 3 without a later one." in said
    assert "Accommodation: 3 of the 4 women assessed improved (75%)." in said
    # The answer, not the workings: no chart, no table, no test statistic.
    assert "<canvas" not in own
    assert "<table" not in own
    assert "V = " not in own


def test_an_evaluator_reads_the_same_published_cells_in_the_overview(
    client, world, fake, any_cohort_size, no_perturbation
) -> None:
    signed_in(client, world.eve)
    said = text(main(page(client, world)))
    assert "Support networks: 19 of the 30 women assessed improved (63%)." in said
    # 3 of 4: both counts are small cells, and no share gives them back.
    assert "Accommodation: &lt;5 of the &lt;5 women assessed improved." in said
    assert "75%" not in said


def test_the_overview_says_plainly_when_no_story_is_recorded(
    client, world, fake, any_cohort_size
) -> None:
    signed_in(client, world.eve)
    assert not ChangeLink.objects.filter(program=world.program).exists()
    said = text(main(page(client, world)))
    assert "No theory of change is recorded for this program yet" in said
    theory.install_template(world.program, by=world.eve)
    links = ChangeLink.objects.filter(program=world.program).count()
    assert links > 2
    said = text(main(page(client, world)))
    assert f"No verdict is recorded yet: none of the {links} links" in said
    first, second = ChangeLink.objects.filter(program=world.program)[:2]
    theory.rate_link(first, by=world.eve, rating=EvidenceRating.STRONG, note="Agrees.")
    theory.rate_link(second, by=world.eve, rating=EvidenceRating.WEAK, note="Thin.")
    said = text(main(page(client, world)))
    assert (
        f"The evaluator's verdict on the {links} links of the theory of change, by strength "
        f"of evidence: strong 1; weak 1; not yet rated: {links - 2}."
    ) in said
    assert reverse("theory_story", args=[world.program.pk]) in page(client, world)


# Each section's own page, and what must not be on it (the other sections' figures).
SECTIONS = {
    "evaluation_outcomes": ({"progress", "distribution-support-networks", "involvement"}),
    "evaluation_process": ({"dose-response", "retention"}),
    "evaluation_fidelity": ({"fidelity-table"}),
    "evaluation_costs": ({"costs"}),
}
EVERY_PART = set().union(*SECTIONS.values()) | {"answer", "story-standing"}


def test_each_section_page_holds_its_section_only(client, world, monkeypatch) -> None:
    from doorway.evaluation.tests.test_pages import with_fidelity

    monkeypatch.setattr(snapshots, "build_report", lambda cohort: with_fidelity(world))
    signed_in(client, world.morgan)
    for name, own_parts in SECTIONS.items():
        html = main(page(client, world, name))
        shown = {part for part in EVERY_PART if f'id="{part}"' in html}
        assert shown == own_parts, name
    assert {p for p in EVERY_PART if f'id="{p}"' in main(page(client, world))} == {
        "answer",
        "story-standing",
    }


def folded(html: str) -> list[str]:
    """The insides of each <details> on the page."""
    return re.findall(r"<details\b[^>]*>(.*?)</details>", html, re.S)


def test_the_statistics_are_folded_under_details(client, world, fake) -> None:
    signed_in(client, world.morgan)
    html = main(page(client, world, "evaluation_outcomes"))
    inside = "".join(folded(html))
    outside = re.sub(r"<details\b.*?</details>", "", html, flags=re.S)
    # Wilcoxon's V, p and r, and every rating-by-timepoint table: folded, and closed.
    for statistic in ("V = 150.5", "p = 0.012", "r = 0.61"):
        assert statistic in inside
        assert statistic not in outside
    assert 'id="distribution-support-networks"' in inside
    assert 'id="distribution-support-networks"' not in outside
    assert re.findall(r"<details\b[^>]*\bopen\b", html) == []
    assert html.count("<summary>Details<") == 2
    # What stays open: who improved, out of how many, and who is missing.
    progress = outside[outside.index('id="progress"') :]
    assert "Progressed" in progress
    assert "No baseline" in progress


def test_the_section_links_keep_the_cohort(client, world, fake) -> None:
    cycle = world.rosa_enrolment.cycle
    signed_in(client, world.morgan)
    html = page(client, world, "evaluation_process", cycles=str(cycle.pk))
    bar = html[
        html.index('id="evaluation-sections"') : html.index(
            "</nav>", html.index('id="evaluation-sections"')
        )
    ]
    for name in views.SECTIONS.values():
        url = reverse(name, args=[world.program.slug])
        assert f'href="{url}?cycles={cycle.pk}"' in bar, name
    assert 'aria-current="page"' in bar
    assert bar.count("aria-current") == 1
    assert f'href="{reverse("theory_detail", args=[world.program.pk])}"' in bar
    assert f'href="{reverse("partner_survey")}"' in bar


@pytest.mark.parametrize("who", ["eve", "morgan"])
def test_the_menu_reaches_the_theory_and_the_survey(client, world, who) -> None:
    signed_in(client, world.staff()[who])
    html = client.get(reverse("home"), follow=True).content.decode()
    menu = html[html.index('id="nav-menu"') :]
    menu = menu[: menu.index("</nav>")]
    assert f'href="{reverse("theory_home")}"' in menu
    assert f'href="{reverse("partner_survey")}"' in menu
    # And what they lead to opens for her.
    theory_page = client.get(reverse("theory_home"), follow=True)
    assert theory_page.status_code == 200
    assert client.get(reverse("partner_survey")).status_code == 200


@pytest.mark.parametrize("who", ["alice", "pat", "ada"])
def test_the_menu_offers_them_to_no_one_else(client, world, who) -> None:
    signed_in(client, world.staff()[who])
    html = client.get(reverse("home"), follow=True).content.decode()
    assert reverse("theory_home") not in html
    assert reverse("partner_survey") not in html

"""The evaluation page, the funder report page, and her ratings chart on the enrolment
page: who sees them, and that nothing identifying is on them."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.evaluation import charts, snapshots, views
from doorway.evaluation.tests.fakes import fake_report
from doorway.instruments.demo import record_journey
from doorway.people.models import Language
from doorway.people.roles import Role
from doorway.programs.exit_doors_here import FOCUS_AREA_NAMES_FR
from doorway.programs.models import FocusArea
from doorway.testing.factories import ProgramFactory, UserFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(snapshots, "build_report", lambda cohort: fake_report(cohort.program.slug))


def page_url(world, name="evaluation_page"):
    return reverse(name, args=[world.program.slug])


def identifying(world):
    """Names, codes and phone numbers of everyone in the world."""
    found = []
    for p in (world.rosa, world.tess, world.uma, world.vera):
        found += [p.code, p.preferred_name, p.legal_name]
        if p.phone:
            found.append(p.phone)
    return [f for f in found if f]


def test_the_evaluator_sees_the_evaluation_with_its_charts_and_tables(
    client, world, any_cohort_size
) -> None:
    signed_in(client, world.eve)
    response = client.get(page_url(world))
    assert response.status_code == 200
    assert "Definitions" in response.content.decode()
    for section, charts_there in {
        "evaluation_outcomes": ("progress",),
        "evaluation_process": ("dose-response", "retention"),
        "evaluation_costs": ("costs",),
    }.items():
        response = client.get(page_url(world, section))
        assert response.status_code == 200, section
        html = response.content.decode()
        for chart in charts_there:
            assert f'data-chart="chart-{chart}-data"' in html or f'id="{chart}"' in html
        assert "vendor/chartjs/chart.umd.min.js" in html
        assert "<table" in html


def test_the_page_holds_no_name_code_or_phone(client, world) -> None:
    world.rosa.phone = "416-555-0199"
    world.rosa.save()
    record_journey(world.rosa_enrolment, {"accommodation": 2, "money": 3}, on=timezone.localdate())
    signed_in(client, world.eve)
    for section in views.SECTIONS.values():
        html = client.get(page_url(world, section)).content.decode()
        for text in identifying(world):
            assert text not in html, section


def test_charts_come_from_json_with_no_inline_script(client, world, fake) -> None:
    signed_in(client, world.morgan)
    html = client.get(page_url(world, "evaluation_outcomes")).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    for attributes, body in scripts:
        assert 'type="application/json"' in attributes or ("src=" in attributes and not body)
    assert 'id="chart-progress-data"' in html
    assert "Support networks" in html
    assert "19" in html


def test_the_program_manager_sees_the_evaluation_but_not_the_export_button(
    client, world, fake
) -> None:
    signed_in(client, world.morgan)
    html = client.get(page_url(world)).content.decode()
    assert "Funder report" in html
    assert reverse("research_export", args=[world.program.slug]) not in html


@pytest.mark.parametrize("who", ["alice", "pat", "ada"])
def test_roles_that_never_see_an_evaluation_are_refused(client, world, who) -> None:
    signed_in(client, world.staff()[who])
    for name in (*views.SECTIONS.values(), "funder_report", "funder_report_pdf"):
        assert client.get(page_url(world, name)).status_code == 403


def test_another_programs_manager_gets_an_audited_404(client, world, fake) -> None:
    signed_in(client, world.olive)
    for section in views.SECTIONS.values():
        before = AuditEntry.objects.filter(action="refused").count()
        assert client.get(page_url(world, section)).status_code == 404, section
        assert AuditEntry.objects.filter(action="refused").count() == before + 1, section


def test_an_evaluator_of_the_agency_sees_its_programs_only(client, world, fake) -> None:
    agency_evaluator = UserFactory(username="evan", role=Role.EVALUATOR, agency=world.agency)
    signed_in(client, agency_evaluator)
    assert client.get(page_url(world)).status_code == 200
    other = reverse("evaluation_page", args=[world.other_program.slug])
    assert client.get(other).status_code == 404


def test_the_evaluation_home_takes_her_to_her_one_program(client, world) -> None:
    signed_in(client, world.eve)
    response = client.get(reverse("evaluation_home"))
    assert response.status_code == 302
    assert response["Location"] == page_url(world)
    ProgramFactory(agency=world.agency, name="Second", slug="second")
    assert b"Second" in client.get(reverse("evaluation_home")).content
    signed_in(client, world.alice)
    assert client.get(reverse("evaluation_home")).status_code == 403


def test_the_cohort_filter_narrows_the_report(client, world, monkeypatch) -> None:
    seen = []

    def build_report(cohort):
        seen.append(cohort)
        return fake_report()

    monkeypatch.setattr(snapshots, "build_report", build_report)
    cycle = world.rosa_enrolment.cycle
    signed_in(client, world.morgan)  # an evaluator chooses whole cycles only
    client.get(
        page_url(world), {"cycles": [cycle.pk], "enrolled_from": "2024-01-01", "phase_reached": "1"}
    )
    assert seen[-1].cycles == (cycle,)
    assert seen[-1].enrolled_from == datetime.date(2024, 1, 1)
    assert seen[-1].phase_reached == 1
    response = client.get(
        page_url(world), {"enrolled_from": "2024-02-01", "enrolled_to": "2024-01-01"}
    )
    # A cohort that cannot be is refused by name, not answered for everyone.
    assert response.status_code == 400
    assert "<code>enrolled_to</code>" in response.content.decode()
    assert "The end comes before the start." in response.content.decode()
    assert len(seen) == 1


def test_the_real_report_renders(client, world, any_cohort_size) -> None:
    today = timezone.localdate()
    record_journey(world.rosa_enrolment, {"accommodation": 2, "money": 3}, on=today)
    signed_in(client, world.eve)
    for section in views.SECTIONS.values():
        assert client.get(page_url(world, section)).status_code == 200, section
    assert client.get(page_url(world, "funder_report")).status_code == 200


# The funder report


def test_the_funder_report_suppresses_small_cells(
    client, world, fake, any_cohort_size, no_perturbation
) -> None:
    signed_in(client, world.eve)
    html = client.get(page_url(world, "funder_report")).content.decode()
    accommodation = re.search(r"<th scope=\"row\">Accommodation</th>(.*?)</tr>", html, re.S)
    assert accommodation is not None
    cells = re.findall(r"<td>(.*?)</td>", accommodation.group(1))
    # 3 of 4: both counts suppressed, and no percentage that would give them back.
    assert cells == ["&lt;5", "&lt;5", ""]
    assert "75%" not in html
    # 19 of 30 are shown with their share.
    assert "63%" in html
    # Two women "at risk" at intake: suppressed. Every published count carries its own
    # perturbation, so no other cell is hidden with it.
    at_risk = re.search(r"<th scope=\"row\">At risk of returning</th>(.*?)</tr>", html, re.S)
    assert at_risk is not None
    assert re.findall(r"<td>(.*?)</td>", at_risk.group(1))[0] == "&lt;5"
    # Three graduates: no cost per graduate, which would give the count back.
    assert charts.money("195499.70") not in html
    assert "195\xa0499.70" not in html
    assert "Disclosure control" in html


# Her ratings chart on the enrolment page


def enrolment_page(client, world, who):
    signed_in(client, world.staff()[who])
    return client.get(reverse("enrolment_detail", args=[world.rosa_enrolment.pk]))


def test_her_case_team_sees_her_ratings_as_a_star_chart_with_a_table(client, world) -> None:
    today = timezone.localdate()
    before = today - datetime.timedelta(days=30)
    record_journey(
        world.rosa_enrolment,
        {"accommodation": 2, "money": 3, "support-networks": 4, "work-and-learning": 1},
        on=before,
    )
    record_journey(world.rosa_enrolment, {"accommodation": 5}, on=today, timepoint="phase_change")
    for who in ("alice", "amira"):
        html = enrolment_page(client, world, who).content.decode()
        assert "Her ratings over time" in html
        assert 'data-chart="chart-ratings-chart-data"' in html
        assert '"type": "radar"' in html
        assert today.isoformat() in html
        assert before.isoformat() in html


def test_her_star_chart_is_in_her_language_on_an_english_page(client, world) -> None:
    participant = world.rosa_enrolment.participant
    participant.preferred_language = Language.FRENCH
    participant.save(update_fields=["preferred_language"])
    for area in FocusArea.objects.filter(program=world.program):
        area.name_fr = FOCUS_AREA_NAMES_FR[area.slug]
        area.save(update_fields=["name_fr"])
    record_journey(
        world.rosa_enrolment,
        {"accommodation": 2, "money": 3, "support-networks": 4},
        on=timezone.localdate(),
    )
    html = enrolment_page(client, world, "alice").content.decode()
    section = html[html.index('<section class="col-12" aria-labelledby="ratings-chart-heading"') :]
    section = section[: section.index("</section>")]
    assert 'lang="fr-ca"' in section
    assert "Ses cotes au fil du temps" in section
    assert "Logement" in section
    assert "Réseaux de soutien" in section
    assert "Accommodation" not in section
    # The worker's own page around it stays in hers.
    outside = html.replace(section, "")
    assert '<html lang="en-ca"' in outside
    assert "Logement" not in outside


@pytest.mark.parametrize("who", ["pat", "morgan"])
def test_the_ratings_chart_is_hidden_from_anyone_outside_her_case_team(client, world, who) -> None:
    record_journey(world.rosa_enrolment, {"accommodation": 2}, on=timezone.localdate())
    response = enrolment_page(client, world, who)
    assert response.status_code == 200
    assert "Her ratings over time" not in response.content.decode()


def test_the_ratings_section_takes_a_fixed_number_of_queries(
    rf, world, django_assert_num_queries
) -> None:
    today = timezone.localdate()
    request = rf.get("/")
    request.user = world.alice
    for n in range(2):
        record_journey(
            world.rosa_enrolment,
            {"accommodation": 2 + n, "money": 3},
            on=today - datetime.timedelta(days=10 - n),
        )
    with django_assert_num_queries(3):
        views.ratings_section(request, world.rosa_enrolment)
    for n in range(18):
        record_journey(
            world.rosa_enrolment,
            {"accommodation": 2 + n % 8, "money": 3},
            on=today - datetime.timedelta(days=11 + n),
        )
    with django_assert_num_queries(3):
        views.ratings_section(request, world.rosa_enrolment)


def with_fidelity(world):
    report = fake_report(world.program.slug)
    report["fidelity"] = {
        "population": "Women with consent who reached phase 1.",
        "participants_assessed": 3,
        "items": [
            {
                "item": "first_month",
                "label": "At least two contacts in the first month",
                "rule": "Two or more contacts in her first 30 days.",
                "assessed": 3,
                "passed": 2,
                "percent": 67,
                "not_yet": 0,
                "falling_short": [{"code": world.rosa.code, "why": "1 contact in 30 days"}],
            }
        ],
        "program_items": [],
        "participants": [],
    }
    return report


@pytest.mark.parametrize(("who", "sees_codes"), [("eve", False), ("morgan", True)])
def test_fidelity_is_shown_item_by_item_and_who_falls_short_only_to_the_manager(
    client, world, monkeypatch, any_cohort_size, who, sees_codes
) -> None:
    monkeypatch.setattr(snapshots, "build_report", lambda cohort: with_fidelity(world))
    signed_in(client, world.staff()[who])
    page = client.get(page_url(world, "evaluation_fidelity")).content.decode()
    assert "Fidelity to CTI" in page
    assert "At least two contacts in the first month" in page
    assert (world.rosa.code in page) is sees_codes
    assert ("1 contact in 30 days" in page) is sees_codes

"""/api/v1/evaluation/{program}/outcomes/: the outcome tables of the consenting women,
small cells suppressed exactly as in the funder report, for managers and evaluators."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from doorway.audit.models import Action, AuditEntry
from doorway.evaluation import charts, snapshots
from doorway.evaluation.tests.fakes import fake_report
from doorway.evaluation.tests.records import rate, woman
from doorway.instruments.models import Timepoint
from doorway.testing.factories import UserFactory


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(program, key: str = "slug") -> str:
    return f"/api/v1/evaluation/{getattr(program, key)}/outcomes/"


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(snapshots, "build_report", lambda cohort: fake_report(cohort.program.slug))


def cell(value) -> str:
    return "" if value is None else str(value)


def test_a_managers_tables_are_suppressed_as_the_funder_tables_of_that_report(world, fake) -> None:
    """A program manager's answer is exact, small cells suppressed (an evaluator's is
    published: see test_disclosure_api)."""
    response = api(world.morgan).get(url(world.program))
    assert response.status_code == 200
    body = response.json()
    report = fake_report(world.program.slug)

    progress, _bars = charts.funder_progress(report)
    assert [
        [a["area"], a["progressed"], a["assessed"], cell(a["percent"])] for a in body["focus_areas"]
    ] == progress.rows
    accommodation = body["focus_areas"][1]
    assert (accommodation["progressed"], accommodation["assessed"]) == ("<5", "<5")
    assert accommodation["percent"] is None

    involvement = charts.funder_involvement(report)
    assert involvement is not None
    timepoints = body["involvement"]
    for index, answer in enumerate(timepoints[0]["answers"]):
        shown = [
            f"{tp['answers'][index]['count']} ({tp['answers'][index]['percent']})"
            if tp["answers"][index]["percent"]
            else str(tp["answers"][index]["count"])
            for tp in timepoints
        ]
        assert [charts.label(answer["code"], charts.INVOLVEMENT_LABELS), *shown] == [
            str(c) for c in involvement.rows[index]
        ]
    assert ["Women asked", *(tp["women_asked"] for tp in timepoints)] == involvement.rows[-1]

    costs, _bars = charts.funder_costs(report)
    ((cycle, enrolled, operating, per_participant, graduated, per_graduate),) = costs.rows
    (row,) = body["cycles"]
    assert (row["cycle"], row["enrolled"], row["graduated"]) == (cycle, enrolled, graduated)
    assert charts.money(row["operating_cost"]) == operating
    assert charts.money(row["cost_per_participant"]) == per_participant
    assert cell(row["cost_per_graduate"]) == per_graduate == ""
    assert row["operating_cost"] == "586499.10"
    assert body["suppression_rule"].startswith("Small cells")


def test_only_consenting_women_count(world) -> None:
    cycle = world.rosa_enrolment.cycle
    for research in ["yes"] * 5 + ["no", "withdrawn"]:
        enrolment = woman(world, cycle, research=research)
        rate(enrolment, {"accommodation": 2}, ago=30, timepoint=Timepoint.INTAKE)
        rate(enrolment, {"accommodation": 6}, ago=5, timepoint=Timepoint.PHASE_CHANGE)
    body = api(world.morgan).get(url(world.program)).json()
    area = next(a for a in body["focus_areas"] if a["slug"] == "accommodation")
    assert (area["progressed"], area["assessed"], area["percent"]) == (5, 5, "100%")
    # Rosa, Tess and Uma are enrolled too; nobody in the cycle has a cost line yet.
    (row,) = body["cycles"]
    assert row["enrolled"] == 10
    assert row["operating_cost"] is None


def test_the_program_can_be_named_by_its_id(world, fake) -> None:
    response = api(world.morgan).get(url(world.program, "pk"))
    assert response.status_code == 200
    assert response.json()["program"]["slug"] == world.program.slug


def test_the_read_is_audited_against_the_program(world, fake, any_cohort_size) -> None:
    api(world.eve).get(url(world.program))
    entry = AuditEntry.objects.get(action=Action.VIEW)
    assert entry.object_id == str(world.program.pk)
    assert entry.participant_id == ""


@pytest.mark.parametrize("username", ["alice", "pat", "ada"])
def test_roles_that_never_see_an_evaluation_are_refused(world, fake, username) -> None:
    response = api(world.staff()[username]).get(url(world.program))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("key", ["slug", "pk"])
def test_another_programs_manager_gets_an_audited_404(world, fake, key) -> None:
    response = api(world.olive).get(url(world.program, key))
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action=Action.REFUSED, actor_username="olive").exists()
    assert not AuditEntry.objects.filter(action=Action.VIEW).exists()


def test_an_evaluator_of_another_program_gets_404(world, fake, any_cohort_size) -> None:
    other = UserFactory(
        username="ezra", role="evaluator", agency=world.other_agency, programs=[world.other_program]
    )
    assert api(other).get(url(world.program)).status_code == 404
    assert api(other).get(url(world.other_program)).status_code == 200


def test_the_cohort_is_chosen_by_query_and_a_bad_one_is_a_400(world, monkeypatch) -> None:
    seen = []

    def build_report(cohort):
        seen.append(cohort)
        return fake_report(world.program.slug)

    monkeypatch.setattr(snapshots, "build_report", build_report)
    client = api(world.morgan)
    cycle = world.rosa_enrolment.cycle
    ok = client.get(url(world.program), {"cycles": str(cycle.pk), "enrolled_from": "2024-01-01"})
    assert ok.status_code == 200
    assert seen[-1].cycles == (cycle,)
    bad = client.get(
        url(world.program), {"enrolled_from": "2025-02-01", "enrolled_to": "2025-01-01"}
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"enrolled_to": ["The end comes before the start."]}


def test_no_identifying_field_is_in_the_answer(world, any_cohort_size) -> None:
    response = api(world.eve).get(url(world.program))
    # A refusal would hold no identifier either: the walk must read a real table.
    assert response.status_code == 200
    assert response.json()["focus_areas"]
    body = response.content.decode()
    for person in (world.rosa, world.tess, world.uma):
        assert person.code not in body
        assert person.preferred_name not in body
        assert str(person.pk) not in body

"""/api/v1/ programs, phases, focus areas, cycles, partner agencies and cost lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from doorway.audit.models import Action, AuditEntry
from doorway.programs.models import CostLine, Cycle, PartnerAgency
from doorway.testing.factories import CycleFactory, PartnerFactory


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def names(response, key: str = "name") -> set[str]:
    return {row[key] for row in response.json()["results"]}


@pytest.fixture
def costs(world) -> dict:
    cycle = world.rosa_enrolment.cycle
    staff = CostLine.objects.create(
        cycle=cycle, category="staff", amount=Decimal("120000.50"), recorded_by=world.morgan
    )
    other = CostLine.objects.create(
        cycle=Cycle.objects.get(program=world.other_program),
        category="space",
        amount=Decimal("999.99"),
        recorded_by=world.olive,
    )
    return {"cycle": cycle, "staff": staff, "other": other}


# --- configuration ---------------------------------------------------------------------


@pytest.mark.parametrize("username", ["alice", "pat", "morgan", "eve"])
def test_staff_and_evaluators_read_their_programs_configuration(world, username) -> None:
    client = api(world.staff()[username])
    assert names(client.get("/api/v1/programs/")) == {"Exit Doors Here"}
    phases = client.get("/api/v1/phases/", {"program": str(world.program.pk)})
    assert [p["order"] for p in phases.json()["results"]] == [0, 1, 2, 3]
    assert len(client.get("/api/v1/focus-areas/").json()["results"]) == 4
    assert names(client.get("/api/v1/cycles/")) == {"Cycle 1"}


def test_another_agencys_program_answers_404_and_is_audited(world) -> None:
    response = api(world.alice).get(f"/api/v1/programs/{world.other_program.pk}/")
    assert response.status_code == 404
    assert AuditEntry.objects.filter(
        action=Action.REFUSED, detail__object_id=str(world.other_program.pk)
    ).exists()
    phase = world.other_program.phases.first()
    assert api(world.alice).get(f"/api/v1/phases/{phase.pk}/").status_code == 404


def test_an_administrator_reads_her_agencys_programs(world) -> None:
    assert names(api(world.ada).get("/api/v1/programs/")) == {"Exit Doors Here"}


def test_configuration_reads_are_audited(world) -> None:
    api(world.alice).get(f"/api/v1/programs/{world.program.pk}/")
    entry = AuditEntry.objects.get(action=Action.VIEW)
    assert entry.object_id == str(world.program.pk)


def test_running_cycles_filter(world) -> None:
    CycleFactory(
        program=world.program, name="Long ago", starts_on="2020-01-01", ends_on="2020-12-31"
    )
    client = api(world.morgan)
    assert names(client.get("/api/v1/cycles/", {"running": "true"})) == {"Cycle 1"}
    assert names(client.get("/api/v1/cycles/", {"running": "false"})) == {"Long ago"}


def test_configuration_cannot_be_written_through_the_api(world) -> None:
    response = api(world.morgan).post(
        "/api/v1/phases/", {"program": str(world.program.pk), "name": "New"}, format="json"
    )
    assert response.status_code == 405


# --- partner agencies --------------------------------------------------------------------


def test_partners_are_read_by_the_agencys_staff_only(world) -> None:
    ours = PartnerFactory(agency=world.agency, name="Shelter North")
    PartnerFactory(agency=world.other_agency, name="Their Partner")
    assert names(api(world.alice).get("/api/v1/partner-agencies/")) == {"Shelter North"}
    assert names(api(world.olive).get("/api/v1/partner-agencies/")) == {"Their Partner"}
    response = api(world.olive).get(f"/api/v1/partner-agencies/{ours.pk}/")
    assert response.status_code == 404


def test_partners_filter_by_service_and_active(world) -> None:
    PartnerFactory(agency=world.agency, name="Housing One", services=["housing"])
    PartnerFactory(agency=world.agency, name="Legal One", services=["legal"], active=False)
    client = api(world.alice)
    assert names(client.get("/api/v1/partner-agencies/", {"service": "legal"})) == {"Legal One"}
    assert names(client.get("/api/v1/partner-agencies/", {"active": "true"})) == {"Housing One"}


def test_a_program_manager_adds_a_partner_through_the_action(world) -> None:
    response = api(world.morgan).post(
        "/api/v1/partner-agencies/",
        {
            "program": str(world.program.pk),
            "name": "Legal Clinic",
            "services": ["legal", "immigration"],
            "email": "intake@clinic.example",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    partner = PartnerAgency.objects.get(pk=response.json()["id"])
    assert partner.agency == world.agency
    assert partner.services == ["legal", "immigration"]
    assert AuditEntry.objects.filter(action=Action.CREATE, object_id=str(partner.pk)).exists()


def test_a_partner_for_a_program_she_does_not_manage_is_refused(world) -> None:
    response = api(world.morgan).post(
        "/api/v1/partner-agencies/",
        {"program": str(world.other_program.pk), "name": "Elsewhere", "services": []},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"program": ["Choose a program you manage."]}
    assert not PartnerAgency.objects.filter(name="Elsewhere").exists()


def test_a_duplicate_partner_name_is_refused_by_the_action(world) -> None:
    PartnerFactory(agency=world.agency, name="Shelter North")
    response = api(world.morgan).post(
        "/api/v1/partner-agencies/",
        {"program": str(world.program.pk), "name": "shelter north", "services": []},
        format="json",
    )
    assert response.status_code == 400
    assert "name" in response.json()["errors"]


def test_a_partner_change_needs_the_current_etag(world) -> None:
    partner = PartnerFactory(agency=world.agency, name="Shelter North")
    client = api(world.morgan)
    url = f"/api/v1/partner-agencies/{partner.pk}/"
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"phone": "416-555-0000"}, format="json").status_code == 428
    done = client.patch(
        url, {"phone": "416-555-0000", "active": False}, format="json", HTTP_IF_MATCH=etag
    )
    assert done.status_code == 200, done.json()
    partner.refresh_from_db()
    assert (partner.phone, partner.active) == ("416-555-0000", False)
    stale = client.patch(url, {"phone": "416-555-9999"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    partner.refresh_from_db()
    assert partner.phone == "416-555-0000"


@pytest.mark.parametrize("username", ["alice", "pat", "eve", "ada"])
def test_only_program_managers_change_partners(world, username) -> None:
    partner = PartnerFactory(agency=world.agency, name="Shelter North")
    client = api(world.staff()[username])
    changed = client.patch(
        f"/api/v1/partner-agencies/{partner.pk}/", {"name": "X"}, format="json", HTTP_IF_MATCH='"x"'
    )
    added = client.post(
        "/api/v1/partner-agencies/",
        {"program": str(world.program.pk), "name": "Y", "services": []},
        format="json",
    )
    assert (changed.status_code, added.status_code) == (403, 403)
    partner.refresh_from_db()
    assert partner.name == "Shelter North"
    assert not PartnerAgency.objects.filter(name="Y").exists()


def test_another_agencys_manager_cannot_change_our_partner(world) -> None:
    partner = PartnerFactory(agency=world.agency, name="Shelter North")
    response = api(world.olive).patch(
        f"/api/v1/partner-agencies/{partner.pk}/", {"name": "X"}, format="json", HTTP_IF_MATCH='"x"'
    )
    assert response.status_code == 404


# --- cost lines --------------------------------------------------------------------------


def test_a_program_manager_and_an_evaluator_read_costs_as_decimal_strings(world, costs) -> None:
    for user in (world.morgan, world.eve):
        response = api(user).get("/api/v1/cost-lines/")
        assert response.status_code == 200
        (row,) = response.json()["results"]
        assert row["amount"] == "120000.50"
        assert row["category"] == "staff"


@pytest.mark.parametrize("username", ["alice", "pat", "ada"])
def test_other_roles_are_refused_costs(world, costs, username) -> None:
    client = api(world.staff()[username])
    assert client.get("/api/v1/cost-lines/").status_code == 403
    assert client.get(f"/api/v1/cost-lines/{costs['staff'].pk}/").status_code == 403


def test_another_programs_cost_line_answers_404(world, costs) -> None:
    response = api(world.morgan).get(f"/api/v1/cost-lines/{costs['other'].pk}/")
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action=Action.REFUSED).exists()


def test_a_program_manager_adds_a_cost_line(world, costs) -> None:
    response = api(world.morgan).post(
        "/api/v1/cost-lines/",
        {"cycle": str(costs["cycle"].pk), "category": "space", "amount": "1250.5"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "1250.50"
    line = CostLine.objects.get(pk=response.json()["id"])
    assert (line.amount, line.recorded_by) == (Decimal("1250.50"), world.morgan)


@pytest.mark.parametrize(
    ("amount", "field"), [("-1", "amount"), ("12.345", "amount"), ("lots", "amount")]
)
def test_a_bad_amount_is_refused_in_plain_words_and_nothing_saved(
    world, costs, amount, field
) -> None:
    before = CostLine.objects.count()
    response = api(world.morgan).post(
        "/api/v1/cost-lines/",
        {"cycle": str(costs["cycle"].pk), "category": "space", "amount": amount},
        format="json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()["errors"]) == {field}
    assert CostLine.objects.count() == before


def test_a_cost_line_for_another_programs_cycle_is_refused(world, costs) -> None:
    response = api(world.morgan).post(
        "/api/v1/cost-lines/",
        {"cycle": str(costs["other"].cycle_id), "category": "space", "amount": "10.00"},
        format="json",
    )
    assert response.status_code == 400
    assert "cycle" in response.json()["errors"]


def test_an_evaluator_cannot_write_costs(world, costs) -> None:
    client = api(world.eve)
    url = f"/api/v1/cost-lines/{costs['staff'].pk}/"
    etag = client.get(url)["ETag"]
    assert (
        client.patch(url, {"amount": "1.00"}, format="json", HTTP_IF_MATCH=etag).status_code == 403
    )
    assert client.delete(url, HTTP_IF_MATCH=etag).status_code == 403
    costs["staff"].refresh_from_db()
    assert costs["staff"].amount == Decimal("120000.50")


def test_a_cost_line_change_with_a_stale_etag_is_refused_and_the_earlier_survives(
    world, costs
) -> None:
    client = api(world.morgan)
    url = f"/api/v1/cost-lines/{costs['staff'].pk}/"
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"amount": "1.00"}, format="json").status_code == 428
    first = client.patch(url, {"amount": "130000.00"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first.json()["amount"] == "130000.00"
    second = client.patch(url, {"amount": "1.00"}, format="json", HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    costs["staff"].refresh_from_db()
    assert costs["staff"].amount == Decimal("130000.00")


def test_a_cost_line_is_deleted_only_with_the_current_etag(world, costs) -> None:
    client = api(world.morgan)
    url = f"/api/v1/cost-lines/{costs['staff'].pk}/"
    assert client.delete(url).status_code == 428
    assert client.delete(url, HTTP_IF_MATCH='"stale"').status_code == 412
    assert CostLine.objects.filter(pk=costs["staff"].pk).exists()
    etag = client.get(url)["ETag"]
    assert client.delete(url, HTTP_IF_MATCH=etag).status_code == 204
    assert not CostLine.objects.filter(pk=costs["staff"].pk).exists()
    assert AuditEntry.objects.filter(detail__deleted=True).exists()


def test_the_cost_lines_list_takes_the_same_queries_for_1_or_20_rows(
    world, costs, django_assert_max_num_queries
) -> None:
    client = api(world.morgan)
    with django_assert_max_num_queries(12) as one:
        assert len(client.get("/api/v1/cost-lines/").json()["results"]) == 1
    for n in range(19):
        CostLine.objects.create(
            cycle=costs["cycle"], category="other", amount=Decimal(n), recorded_by=world.morgan
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/cost-lines/").json()["results"]) == 20

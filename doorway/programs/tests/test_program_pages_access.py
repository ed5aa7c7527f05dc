"""Only the program's own program managers reach its configuration; everyone else is
answered 404 and nothing changes."""

from __future__ import annotations

import pytest

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.programs.models import Cycle, FocusArea, PartnerAgency, Phase, Program
from doorway.testing.factories import PartnerFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

REFUSED = ["alice", "pat", "eve", "ada", "olive", "oscar"]


def snapshot() -> tuple:
    return (
        sorted(Phase.objects.values_list("name", "order", "retired", "expected_days")),
        sorted(FocusArea.objects.values_list("name", "slug", "retired")),
        sorted(Cycle.objects.values_list("name", "starts_on", "ends_on")),
        sorted(PartnerAgency.objects.values_list("name", "active", "phone")),
        sorted(
            Program.objects.values_list(
                "consent_months", "retention_years", "safe_contact_check_days"
            )
        ),
    )


def pages(world: World) -> list[str]:
    program = world.program
    phase = program.active_phases()[1]
    area = program.focus_areas.first()
    assert area is not None
    cycle = program.cycles.first()
    assert cycle is not None
    partner = PartnerFactory(agency=world.agency, name="Shelter")
    base = f"/programs/{program.pk}/"
    return [
        base,
        base + "information/",
        base + "phases/add/",
        base + f"phases/{phase.pk}/",
        base + "focus-areas/add/",
        base + f"focus-areas/{area.pk}/",
        base + "cycles/add/",
        base + f"cycles/{cycle.pk}/",
        base + "partners/add/",
        base + f"partners/{partner.pk}/",
    ]


def posts(world: World) -> list[tuple[str, dict]]:
    program = world.program
    phase = program.active_phases()[1]
    area = program.focus_areas.first()
    assert area is not None
    cycle = program.cycles.first()
    assert cycle is not None
    partner = PartnerAgency.objects.get(name="Shelter")
    base = f"/programs/{program.pk}/"
    return [
        (
            base + "information/",
            {"consent_months": 6, "retention_years": 3, "safe_contact_check_days": 30},
        ),
        (base + "phases/add/", {"name": "New", "contact_cadence": "weekly"}),
        (base + f"phases/{phase.pk}/", {"name": "Renamed", "contact_cadence": "weekly"}),
        (base + f"phases/{phase.pk}/move/", {"direction": "up"}),
        (base + f"phases/{phase.pk}/retire/", {}),
        (base + "focus-areas/add/", {"name": "Art", "slug": "art"}),
        (base + f"focus-areas/{area.pk}/", {"name": "Renamed", "slug": "renamed"}),
        (base + f"focus-areas/{area.pk}/retire/", {}),
        (base + "cycles/add/", {"name": "C9", "starts_on": "2025-01-01", "ends_on": "2025-12-31"}),
        (
            base + f"cycles/{cycle.pk}/",
            {"name": "C9", "starts_on": "2025-01-01", "ends_on": "2025-12-31"},
        ),
        (base + "partners/add/", {"name": "Clinic"}),
        (base + f"partners/{partner.pk}/", {"name": "Renamed", "phone": "1"}),
        (base + f"partners/{partner.pk}/active/", {"active": "0"}),
    ]


def test_the_programs_manager_reaches_every_page(client, world: World) -> None:
    signed_in(client, world.morgan)
    for url in pages(world):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("username", REFUSED)
def test_other_roles_and_other_programs_managers_get_404(
    client, world: World, username: str
) -> None:
    signed_in(client, world.staff()[username])
    urls = pages(world)
    refused = AuditEntry.objects.filter(action="refused").count()
    for url in urls:
        assert client.get(url).status_code == 404, url
    # Each attempt on another's program is on the audit log.
    assert AuditEntry.objects.filter(action="refused").count() == refused + len(urls)
    answer = client.get("/programs/")
    if username == "olive":  # her own program, not this one
        assert answer["Location"] == f"/programs/{world.other_program.pk}/"
    else:
        assert answer.status_code == 404


@pytest.mark.parametrize("username", REFUSED)
def test_a_refused_post_changes_nothing(client, world: World, username: str) -> None:
    signed_in(client, world.staff()[username])
    pages(world)
    before = snapshot()
    entries = AuditEntry.objects.count()
    for url, data in posts(world):
        assert client.post(url, data).status_code == 404, url
    assert snapshot() == before
    assert (
        not AuditEntry.objects.filter(action__in=["create", "change"])
        .exclude(pk__lte=entries)
        .exists()
    )


def test_an_anonymous_visitor_is_sent_to_sign_in(client, world: World) -> None:
    for url in pages(world):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    before = snapshot()
    for url, data in posts(world):
        assert client.post(url, data).status_code == 302
    assert snapshot() == before


def test_a_program_manager_of_one_program_is_taken_straight_to_it(client, world: World) -> None:
    signed_in(client, world.morgan)
    response = client.get("/programs/")
    assert response.status_code == 302
    assert response["Location"] == f"/programs/{world.program.pk}/"


def test_the_configuration_page_shows_phases_focus_areas_cycles_and_partners(
    client, world: World
) -> None:
    PartnerFactory(agency=world.agency, name="Harbour Clinic", services=["health", "legal"])
    PartnerFactory(agency=world.other_agency, name="Elsewhere Shelter")
    signed_in(client, world.morgan)
    page = client.get(f"/programs/{world.program.pk}/").content.decode()
    for text in (
        "Making the connection",
        "Every two weeks",
        "found eligible",
        "Support networks",
        "Cycle 1",
        "Harbour Clinic",
        "Health, Legal",
    ):
        assert text in page
    assert "Elsewhere Shelter" not in page

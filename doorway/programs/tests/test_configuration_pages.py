"""Focus areas, cycles and partner agencies, edited in pages and audited."""

from __future__ import annotations

import datetime

import pytest

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.programs.models import Cycle, FocusArea, PartnerAgency
from doorway.testing.factories import PartnerFactory
from doorway.testing.forms import post_form
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def morgan(client, world: World):
    return signed_in(client, world.morgan)


def base(world: World) -> str:
    return f"/programs/{world.program.pk}/"


def test_a_focus_area_is_added_renamed_retired_and_brought_back(morgan, world: World) -> None:
    assert morgan.post(base(world) + "focus-areas/add/", {"name": "Safety", "slug": "safety"})[
        "Location"
    ].endswith("#focus-areas")
    area = FocusArea.objects.get(program=world.program, slug="safety")
    post_form(
        morgan, base(world) + f"focus-areas/{area.pk}/", {"name": "Safety first", "slug": "safety"}
    )
    area.refresh_from_db()
    assert area.name == "Safety first"
    assert area.history.latest().prev_record.name == "Safety"
    morgan.post(base(world) + f"focus-areas/{area.pk}/retire/")
    area.refresh_from_db()
    assert area.retired
    morgan.post(base(world) + f"focus-areas/{area.pk}/retire/", {"restore": "1"})
    area.refresh_from_db()
    assert not area.retired
    details = list(
        AuditEntry.objects.filter(object_id=str(area.pk))
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert details == [
        {"fields": ["name", "slug"]},
        {"fields": ["name"]},
        {"fields": ["retired"]},
        {"fields": ["retired"]},
    ]


def test_a_focus_area_short_name_is_unique_in_the_program(morgan, world: World) -> None:
    response = morgan.post(
        base(world) + "focus-areas/add/", {"name": "Housing", "slug": "accommodation"}
    )
    assert response.status_code == 400
    assert 'id="id_slug_error"' in response.content.decode()
    assert not FocusArea.objects.filter(name="Housing").exists()


def test_a_cycle_is_added_and_edited(morgan, world: World) -> None:
    morgan.post(
        base(world) + "cycles/add/",
        {"name": "Cycle 2", "starts_on": "2026-01-05", "ends_on": "2026-10-02"},
    )
    cycle = Cycle.objects.get(program=world.program, name="Cycle 2")
    assert cycle.starts_on == datetime.date(2026, 1, 5)
    post_form(
        morgan,
        base(world) + f"cycles/{cycle.pk}/",
        {"name": "Cycle 2", "starts_on": "2026-01-05", "ends_on": "2026-12-18"},
    )
    cycle.refresh_from_db()
    assert cycle.ends_on == datetime.date(2026, 12, 18)
    entry = AuditEntry.objects.filter(action=Action.CHANGE, object_id=str(cycle.pk)).get()
    assert entry.detail == {"fields": ["ends_on"]}


def test_a_cycle_cannot_end_before_it_starts(morgan, world: World) -> None:
    response = morgan.post(
        base(world) + "cycles/add/",
        {"name": "Backwards", "starts_on": "2026-05-01", "ends_on": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "A cycle cannot end before it starts." in response.content.decode()
    assert not Cycle.objects.filter(name="Backwards").exists()


def test_a_cycle_name_is_unique_in_the_program(morgan, world: World) -> None:
    response = morgan.post(
        base(world) + "cycles/add/",
        {"name": "cycle 1", "starts_on": "2026-01-01", "ends_on": "2026-06-01"},
    )
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode()


def test_a_partner_agency_is_added_with_its_services(morgan, world: World) -> None:
    response = morgan.post(
        base(world) + "partners/add/",
        {
            "name": "Harbour Clinic",
            "services": ["legal", "health"],
            "contact_name": "Dr. Lee",
            "phone": "416-555-0199",
            "email": "intake@clinic.example",
            "address": "1 Harbour St",
        },
    )
    assert response.status_code == 302
    partner = PartnerAgency.objects.get(name="Harbour Clinic")
    assert partner.agency == world.agency
    assert partner.services == ["health", "legal"]
    page = morgan.get(base(world)).content.decode()
    assert "Harbour Clinic" in page


def test_an_unchanged_partner_save_records_nothing(morgan, world: World) -> None:
    partner = PartnerFactory(agency=world.agency, name="Shelter", services=["housing"])
    before = AuditEntry.objects.count()
    post_form(
        morgan,
        base(world) + f"partners/{partner.pk}/",
        {"name": "Shelter", "services": ["housing"]},
    )
    assert AuditEntry.objects.count() == before


def test_a_partner_with_a_bad_email_is_refused(morgan, world: World) -> None:
    response = morgan.post(base(world) + "partners/add/", {"name": "X", "email": "not-an-email"})
    assert response.status_code == 400
    assert 'id="id_email_error"' in response.content.decode()
    assert not PartnerAgency.objects.filter(name="X").exists()


def test_a_partner_agency_is_deactivated_and_reactivated(morgan, world: World) -> None:
    partner = PartnerFactory(agency=world.agency, name="Shelter")
    morgan.post(base(world) + f"partners/{partner.pk}/active/", {"active": "0"})
    partner.refresh_from_db()
    assert partner.active is False
    morgan.post(base(world) + f"partners/{partner.pk}/active/", {"active": "1"})
    partner.refresh_from_db()
    assert partner.active is True


def test_another_agencys_partner_is_not_reachable(morgan, world: World) -> None:
    elsewhere = PartnerFactory(agency=world.other_agency, name="Elsewhere")
    assert morgan.get(base(world) + f"partners/{elsewhere.pk}/").status_code == 404
    assert (
        morgan.post(base(world) + f"partners/{elsewhere.pk}/active/", {"active": "0"}).status_code
        == 404
    )
    elsewhere.refresh_from_db()
    assert elsewhere.active

"""A program's settings for her information: how long a consent to share lasts, how long
her record is kept, how often her safe-contact instructions are confirmed. Her program
manager changes them on the program's page (audited, by field name); a value out of
bounds is refused with a message and nothing changes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import Action, AuditEntry
from doorway.caseload.models import DueItem
from doorway.conftest import World
from doorway.enrolments.due import DueKind
from doorway.programs.models import Program
from doorway.testing.forms import post_form
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

SETTINGS = ("consent_months", "retention_years", "safe_contact_check_days")


def settings_of(program: Program) -> tuple[int, ...]:
    program.refresh_from_db()
    return tuple(getattr(program, name) for name in SETTINGS)


def url(world: World) -> str:
    return reverse("program_information_settings", args=[world.program.pk])


def test_her_program_manager_reads_and_changes_them_from_the_program_page(
    client, world: World
) -> None:
    signed_in(client, world.morgan)
    page = client.get(reverse("program_detail", args=[world.program.pk])).content.decode()
    assert url(world) in page
    assert "12 months" in page
    assert "7 years" in page
    assert "90 days" in page
    answer = post_form(
        client,
        url(world),
        {"consent_months": 6, "retention_years": 10, "safe_contact_check_days": 60},
    )
    assert answer.status_code == 302
    assert settings_of(world.program) == (6, 10, 60)
    change = AuditEntry.objects.filter(action=Action.CHANGE, object_type="programs.Program").get()
    assert set(change.detail["fields"]) == set(SETTINGS)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("consent_months", 0),
        ("consent_months", 61),
        ("retention_years", 0),
        ("safe_contact_check_days", 6),
        ("safe_contact_check_days", 731),
        ("safe_contact_check_days", ""),
    ],
)
def test_a_value_out_of_bounds_is_refused_and_nothing_changes(
    client, world: World, field: str, value: object
) -> None:
    signed_in(client, world.morgan)
    before = settings_of(world.program)
    data: dict[str, object] = {
        "consent_months": 12,
        "retention_years": 7,
        "safe_contact_check_days": 90,
    }
    data[field] = value
    answer = post_form(client, url(world), data)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Ensure this value" in page or "This field is required." in page
    assert settings_of(world.program) == before
    assert not AuditEntry.objects.filter(action=Action.CHANGE).exists()


def test_a_shorter_check_recomputes_the_open_enrolments_due_items(
    client, world: World, django_capture_on_commit_callbacks
) -> None:
    signed_in(client, world.morgan)
    with django_capture_on_commit_callbacks(execute=True):
        post_form(
            client,
            url(world),
            {"consent_months": 12, "retention_years": 7, "safe_contact_check_days": 30},
        )
    item = DueItem.objects.get(enrolment=world.rosa_enrolment, kind=DueKind.SAFE_CONTACT)
    rosa = world.rosa
    rosa.refresh_from_db()
    start = rosa.safe_contact_confirmed_on or timezone.localdate(rosa.registered_at)
    assert (item.due_on - start).days == 30


@pytest.mark.parametrize("page", ["program_detail", "program_information_settings"])
def test_the_settings_read_in_french(world: World, page: str) -> None:
    from django.test import Client

    from doorway.tests.test_french_pages import english_left, english_messages, in_french

    answer = in_french(Client(), world, "morgan", reverse(page, args=[world.program.pk]))
    assert answer.status_code == 200
    html = answer.content.decode()
    # The settings' own words (the program page's phases are the agency's data).
    mine = html[html.index("<main") :]
    if page == "program_detail":
        mine = mine[mine.index('id="information"') : mine.index('aria-labelledby="phases')]
    assert english_left(mine, english_messages()) == []


# --- the API: the same settings, the same rules -------------------------------------


def api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_reads_them_and_her_program_manager_changes_them_with_if_match(
    world: World,
) -> None:
    client = api(world.morgan)
    address = f"/api/v1/programs/{world.program.pk}/"
    read = client.get(address)
    assert read.json()["safe_contact_check_days"] == 90
    change = {"safe_contact_check_days": 45}
    assert client.patch(address, change, format="json").status_code == 428
    done = client.patch(address, change, format="json", HTTP_IF_MATCH=read["ETag"])
    assert done.status_code == 200, done.json()
    assert done.json()["safe_contact_check_days"] == 45
    assert settings_of(world.program) == (12, 7, 45)
    refused = client.patch(
        address, {"consent_months": 0}, format="json", HTTP_IF_MATCH=done["ETag"]
    )
    assert refused.status_code == 400
    assert settings_of(world.program) == (12, 7, 45)


@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("ada", 403), ("olive", 404)])
def test_the_api_refuses_anyone_else_and_nothing_changes(
    world: World, who: str, status: int
) -> None:
    address = f"/api/v1/programs/{world.program.pk}/"
    answer = api(getattr(world, who)).patch(
        address, {"retention_years": 2}, format="json", HTTP_IF_MATCH="*"
    )
    assert answer.status_code == status
    assert settings_of(world.program) == (12, 7, 90)

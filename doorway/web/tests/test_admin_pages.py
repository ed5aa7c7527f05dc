"""The Django admin: staff accounts and configuration for administrators; no
participant content, nothing deleted, every change audited."""

from __future__ import annotations

import pytest

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.people.models import Team, User
from doorway.people.roles import Role
from doorway.testing.factories import UserFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

PARTICIPANT_CONTENT = [
    "/admin/people/participant/",
    "/admin/people/consent/",
    "/admin/people/safetyflag/",
    "/admin/people/breakglass/",
    "/admin/people/namedigest/",
    "/admin/enrolments/enrolment/",
    "/admin/enrolments/journeyevent/",
    "/admin/audit/auditentry/",
    "/admin/audit/chainhead/",
]


@pytest.fixture
def ada(client, world: World):
    return signed_in(client, world.ada)


@pytest.mark.parametrize("url", PARTICIPANT_CONTENT)
def test_participant_content_is_not_in_the_admin(ada, world: World, url: str) -> None:
    assert ada.get(url).status_code == 404
    assert ada.get(url + f"{world.rosa.pk}/change/").status_code == 404


def test_the_admin_index_lists_no_participant_content(ada, world: World) -> None:
    page = ada.get("/admin/").content.decode()
    assert "/admin/people/user/" in page
    assert "/admin/programs/phase/" in page
    for url in PARTICIPANT_CONTENT:
        assert url not in page


@pytest.mark.parametrize(
    "url", ["/admin/people/user/", "/admin/people/team/", "/admin/programs/program/"]
)
def test_an_administrator_reaches_accounts_and_programs(ada, url: str) -> None:
    assert ada.get(url).status_code == 200
    assert ada.get(url + "add/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/programs/agency/",
        "/admin/programs/phase/",
        "/admin/programs/focusarea/",
        "/admin/programs/cycle/",
        "/admin/programs/partneragency/",
    ],
)
def test_an_administrator_reads_configuration_that_program_managers_change(ada, url: str) -> None:
    assert ada.get(url).status_code == 200
    assert ada.get(url + "add/").status_code == 403


def test_an_administrator_reads_only_her_own_agencys_configuration(ada, world: World) -> None:
    theirs = world.other_program.phases.first() or world.other_program.phases.create(
        name="Theirs", order=0
    )
    assert world.other_program.name not in ada.get("/admin/programs/program/").content.decode()
    assert ada.get(f"/admin/programs/program/{world.other_program.pk}/change/").status_code == 302
    assert ada.get(f"/admin/programs/phase/{theirs.pk}/change/").status_code == 302


def test_an_administrator_edits_a_staff_accounts_name_but_not_her_access(ada, world: World) -> None:
    north = Team.objects.get(name="North")
    response = ada.post(
        f"/admin/people/user/{world.bianca.pk}/change/",
        {
            "username": "bianca",
            "first_name": world.bianca.first_name,
            "last_name": "Renamed",
            "email": "",
            "role": Role.PROGRAM_MANAGER,
            "agency": world.agency.pk,
            "programs": [world.program.pk],
            "teams": [north.pk],
            "is_active": "on",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    world.bianca.refresh_from_db()
    assert world.bianca.last_name == "Renamed"
    assert world.bianca.role == Role.CASE_MANAGER
    assert not world.bianca.teams.filter(pk=north.pk).exists()
    entry = AuditEntry.objects.filter(action=Action.CHANGE, object_id=str(world.bianca.pk)).get()
    assert entry.detail["via"] == "admin"
    assert entry.detail["fields"] == ["Last name"]


def test_an_administrator_creates_a_staff_account_of_her_agency_with_no_role(
    ada, world: World
) -> None:
    response = ada.post(
        "/admin/people/user/add/",
        {
            "username": "newcm",
            "usable_password": "true",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
            "first_name": "New",
            "last_name": "Worker",
            "role": Role.CASE_MANAGER,
            "agency": world.other_agency.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newcm")
    assert user.role == ""
    assert user.agency == world.agency
    assert user.check_password("a long enough passphrase 42")
    assert AuditEntry.objects.filter(action=Action.CREATE, object_id=str(user.pk)).exists()


def test_nothing_is_deleted_from_the_admin(ada, world: World) -> None:
    phase = world.program.active_phases().first()
    assert phase is not None
    assert ada.get(f"/admin/programs/phase/{phase.pk}/delete/").status_code == 403
    assert ada.get(f"/admin/people/user/{world.alice.pk}/delete/").status_code == 403
    assert (
        ada.post(f"/admin/people/user/{world.alice.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert User.objects.filter(pk=world.alice.pk).exists()


def test_a_phase_is_not_changed_from_the_admin(ada, world: World) -> None:
    phase = world.program.active_phases().first()
    assert phase is not None
    response = ada.post(
        f"/admin/programs/phase/{phase.pk}/change/",
        {
            "program": world.program.pk,
            "name": phase.name,
            "order": phase.order,
            "contact_cadence": phase.contact_cadence,
            "retired": "on",
        },
    )
    assert response.status_code == 403
    phase.refresh_from_db()
    assert not phase.retired


@pytest.mark.parametrize("username", ["alice", "morgan", "eve"])
def test_staff_flags_do_not_let_other_roles_into_the_admin(
    client, world: World, username: str
) -> None:
    user = world.staff()[username]
    user.is_staff = True
    user.is_superuser = True
    user.save()
    signed_in(client, user)
    assert client.get("/admin/people/user/").status_code == 403
    assert client.get(f"/admin/people/user/{world.alice.pk}/change/").status_code == 403


def test_an_account_without_staff_flag_is_sent_to_the_admin_sign_in(client, world: World) -> None:
    signed_in(client, UserFactory(username="plain", role=Role.ADMINISTRATOR, is_staff=False))
    response = client.get("/admin/people/user/")
    assert response.status_code == 302

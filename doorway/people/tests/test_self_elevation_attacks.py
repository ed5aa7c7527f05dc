"""The administrator who tries to skip break-the-glass: she edits her own account (or a
colleague's) in the Django admin into a role that reaches records, and then reads a
woman's legal name. Roles, agencies, programs, teams and the account flags change only
through `doorway.people.staff.actions`, so every one of these attempts changes nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from doorway.conftest import World
from doorway.instruments import exit_doors_here
from doorway.instruments.models import Instrument
from doorway.people.models import Team, User
from doorway.people.roles import Role
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def account(user: User) -> tuple[object, ...]:
    user.refresh_from_db()
    return (
        user.role,
        user.agency_id,
        user.is_staff,
        user.is_superuser,
        user.is_demo_account,
        frozenset(user.programs.values_list("pk", flat=True)),
        frozenset(user.teams.values_list("pk", flat=True)),
    )


def admin_form(world: World, user: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": "",
        "role": user.role,
        "agency": world.agency.pk,
        "programs": [],
        "teams": [],
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "09:00:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def legal_name_through_the_api(user: User, world: World) -> int:
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/participants/{world.rosa.pk}/").status_code


def test_an_administrator_cannot_make_herself_program_manager_and_read_a_legal_name(
    client, world: World
) -> None:
    signed_in(client, world.ada)
    before = account(world.ada)
    client.post(
        f"/admin/people/user/{world.ada.pk}/change/",
        admin_form(world, world.ada, role=Role.PROGRAM_MANAGER, programs=[world.program.pk]),
    )
    assert account(world.ada) == before
    assert world.ada.role == Role.ADMINISTRATOR
    assert legal_name_through_the_api(world.ada, world) == 404


def test_an_administrator_cannot_add_herself_to_a_team_in_the_admin(client, world: World) -> None:
    north = Team.objects.get(name="North")
    # Case manager on alice's team is what reaching rosa would need.
    signed_in(client, world.ada)
    before = account(world.ada)
    client.post(
        f"/admin/people/user/{world.ada.pk}/change/",
        admin_form(world, world.ada, role=Role.CASE_MANAGER, teams=[north.pk]),
    )
    assert account(world.ada) == before
    assert not north.members.filter(pk=world.ada.pk).exists()
    client.post(
        f"/admin/people/team/{north.pk}/change/",
        {"name": "North", "agency": world.agency.pk, "members": [world.alice.pk, world.ada.pk]},
    )
    assert not north.members.filter(pk=world.ada.pk).exists()


def test_an_administrator_cannot_give_a_colleague_record_access_in_the_admin(
    client, world: World
) -> None:
    signed_in(client, world.ada)
    before = account(world.bianca)
    client.post(
        f"/admin/people/user/{world.bianca.pk}/change/",
        admin_form(world, world.bianca, role=Role.PROGRAM_MANAGER, programs=[world.program.pk]),
    )
    assert account(world.bianca) == before


def test_her_own_admin_form_offers_no_superuser_or_demo_flag(client, world: World) -> None:
    signed_in(client, world.ada)
    page = client.get(f"/admin/people/user/{world.ada.pk}/change/").content.decode()
    for field in ("is_superuser", "is_demo_account", "is_staff", "role", "agency", "programs"):
        assert f'name="{field}"' not in page, field


def test_an_administrator_cannot_turn_on_the_demo_flag_in_the_admin(client, world: World) -> None:
    signed_in(client, world.ada)
    before = account(world.alice)
    client.post(
        f"/admin/people/user/{world.alice.pk}/change/",
        admin_form(world, world.alice, role=Role.CASE_MANAGER, is_demo_account="on"),
    )
    assert account(world.alice) == before


def test_an_administrator_does_not_reach_another_agencys_instruments(client, world: World) -> None:
    exit_doors_here.install(world.other_program)
    theirs = Instrument.objects.filter(program=world.other_program).first()
    assert theirs is not None
    signed_in(client, world.ada)
    assert theirs.name not in client.get("/instruments/").content.decode()
    assert client.get(f"/instruments/{theirs.pk}/").status_code == 404


def test_an_administrator_does_not_see_another_agencys_accounts_in_the_admin(
    client, world: World
) -> None:
    signed_in(client, world.ada)
    assert client.get(f"/admin/people/user/{world.oscar.pk}/change/").status_code in {302, 404}
    assert "oscar" not in client.get("/admin/people/user/").content.decode()


def test_an_administrator_cannot_set_a_colleagues_password_in_the_admin(
    client, world: World
) -> None:
    # With it, she could remove alice's second factor in the admin and sign in as her.
    signed_in(client, world.ada)
    response = client.post(
        f"/admin/people/user/{world.alice.pk}/password/",
        {
            "password1": "a new passphrase she chose 42",
            "password2": "a new passphrase she chose 42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 403
    world.alice.refresh_from_db()
    assert not world.alice.check_password("a new passphrase she chose 42")

"""The staff access pages: an administrator lists her agency's staff, asks for a change
with a reason, and a second administrator approves or declines it. Every forbidden
attempt (her own account, her own request, another agency, another role) is refused
and changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.people.models import AccessChangeRequest, AccessChangeStatus, User
from doorway.people.roles import Role
from doorway.people.staff.actions import access_of, change_staff_access
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

REASON = "She takes over the program while Morgan is away"


def proposal(world: World, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "role": Role.PROGRAM_MANAGER,
        "programs": [world.program.pk],
        "is_active": "on",
        "reason": REASON,
    }
    data.update(changes)
    return data


def test_an_administrator_lists_her_agencys_staff_only(client, world: World) -> None:
    signed_in(client, world.ada)
    page = client.get(reverse("staff_list")).content.decode()
    assert str(world.bianca) in page
    assert str(world.oscar) not in page
    assert reverse("staff_change", args=[world.bianca.pk]) in page
    assert reverse("staff_change", args=[world.oscar.pk]) not in page
    # Her own account is listed without a link to change it.
    assert reverse("staff_change", args=[world.ada.pk]) not in page


def test_a_change_asked_for_on_the_page_waits_for_a_second_administrator(
    client, world: World, abe: User
) -> None:
    signed_in(client, world.ada)
    before = access_of(world.bianca)
    response = client.post(reverse("staff_change", args=[world.bianca.pk]), proposal(world))
    assert response.status_code == 302
    assert access_of(world.bianca) == before
    pending = AccessChangeRequest.objects.get(subject=world.bianca)
    assert pending.status == AccessChangeStatus.PENDING
    page = client.get(reverse("staff_list")).content.decode()
    assert REASON in page
    # Ada may withdraw her own request but not approve it.
    assert reverse("access_request_approve", args=[pending.pk]) not in page

    signed_in(client, abe)
    assert (
        reverse("access_request_approve", args=[pending.pk])
        in client.get(reverse("staff_list")).content.decode()
    )
    response = client.post(reverse("access_request_approve", args=[pending.pk]))
    assert response.status_code == 302
    world.bianca.refresh_from_db()
    assert world.bianca.role == Role.PROGRAM_MANAGER
    assert list(world.bianca.programs.all()) == [world.program]


def test_she_cannot_approve_her_own_request_on_the_page(client, world: World, abe: User) -> None:
    pending = change_staff_access(
        world.bianca, by=world.ada, reason=REASON, role=Role.PROGRAM_MANAGER
    )
    assert pending is not None
    signed_in(client, world.ada)
    before = access_of(world.bianca)
    assert client.post(reverse("access_request_approve", args=[pending.pk])).status_code == 403
    assert access_of(world.bianca) == before
    pending.refresh_from_db()
    assert pending.status == AccessChangeStatus.PENDING


def test_she_cannot_change_her_own_access_on_the_page(client, world: World) -> None:
    signed_in(client, world.ada)
    before = access_of(world.ada)
    url = reverse("staff_change", args=[world.ada.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, proposal(world, is_superuser="on", is_demo_account="on"))
    assert response.status_code == 403
    assert access_of(world.ada) == before
    assert not AccessChangeRequest.objects.exists()


def test_the_subject_of_a_request_cannot_approve_it_on_the_page(
    client, world: World, abe: User
) -> None:
    pending = change_staff_access(abe, by=world.ada, reason=REASON, is_superuser=True)
    assert pending is not None
    signed_in(client, abe)
    assert client.post(reverse("access_request_approve", args=[pending.pk])).status_code == 403
    abe.refresh_from_db()
    assert not abe.is_superuser


def test_another_agencys_account_and_requests_answer_404(client, world: World, otto: User) -> None:
    pending = change_staff_access(
        world.bianca, by=world.ada, reason=REASON, role=Role.PROGRAM_MANAGER
    )
    assert pending is not None
    signed_in(client, world.ada)
    before_oscar = access_of(world.oscar)
    response = client.post(
        reverse("staff_change", args=[world.oscar.pk]),
        proposal(world, programs=[world.other_program.pk]),
    )
    assert response.status_code == 404
    assert access_of(world.oscar) == before_oscar

    signed_in(client, otto)
    before = access_of(world.bianca)
    assert client.post(reverse("access_request_approve", args=[pending.pk])).status_code == 404
    assert client.post(reverse("access_request_decline", args=[pending.pk])).status_code == 404
    assert access_of(world.bianca) == before
    pending.refresh_from_db()
    assert pending.status == AccessChangeStatus.PENDING


def test_programs_of_another_agency_are_refused_with_a_message(client, world: World) -> None:
    signed_in(client, world.ada)
    before = access_of(world.bianca)
    response = client.post(
        reverse("staff_change", args=[world.bianca.pk]),
        proposal(world, programs=[world.other_program.pk]),
    )
    assert response.status_code == 200
    assert access_of(world.bianca) == before
    assert not AccessChangeRequest.objects.exists()


@pytest.mark.parametrize("username", ["alice", "morgan", "eve", "pat"])
def test_other_roles_are_refused(client, world: World, username: str) -> None:
    user = world.staff()[username]
    signed_in(client, user)
    before = access_of(world.bianca)
    assert client.get(reverse("staff_list")).status_code == 403
    response = client.post(reverse("staff_change", args=[world.bianca.pk]), proposal(world))
    assert response.status_code == 403
    assert access_of(world.bianca) == before
    assert not AccessChangeRequest.objects.exists()


def test_taking_access_away_takes_effect_at_once(client, world: World) -> None:
    signed_in(client, world.ada)
    response = client.post(
        reverse("staff_change", args=[world.alice.pk]),
        {"role": Role.CASE_MANAGER, "programs": [world.program.pk], "reason": REASON},
    )
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert not world.alice.is_active
    assert not world.alice.teams.exists()


def test_a_new_password_needs_a_second_administrator_and_is_kept_nowhere(
    client, world: World, abe: User
) -> None:
    signed_in(client, world.ada)
    response = client.post(
        reverse("staff_change", args=[world.alice.pk]),
        {
            "role": Role.CASE_MANAGER,
            "programs": [world.program.pk],
            "teams": [str(pk) for pk in world.alice.teams.values_list("pk", flat=True)],
            "is_active": "on",
            "new_password": "on",
            "reason": REASON,
        },
    )
    assert response.status_code == 200
    first = response.context["half"]
    pending = AccessChangeRequest.objects.get(subject=world.alice)
    old_hash = User.objects.get(pk=world.alice.pk).password
    assert client.post(reverse("access_request_approve", args=[pending.pk])).status_code == 403
    assert User.objects.get(pk=world.alice.pk).password == old_hash

    signed_in(client, abe)
    response = client.post(reverse("access_request_approve", args=[pending.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    password = first + response.context["half"]
    world.alice.refresh_from_db()
    assert world.alice.check_password(password)
    # Kept nowhere but her password hash: not on the request, not on the log.
    assert password not in str(AccessChangeRequest.objects.get(pk=pending.pk).after)
    assert not any(password in str(e.detail) for e in AuditEntry.objects.all())

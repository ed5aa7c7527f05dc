"""A temporary password for a colleague is known whole by no single administrator.

The attack: administrator A innocently asks for a new password for X; administrator B
approves it and, if she were shown the whole password, could remove X's authenticator
alone (a lost phone), sign in as X and enrol her own. So the password is split: the
one who asks is shown the first half, once; the one who approves is shown the second
half, once; the password set is the two joined. Neither ever sees the other's half."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.people.models import AccessChangeRequest, User
from doorway.people.roles import Role
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

REASON = "She forgot her password and called the office from the shelter"


def _pages(client, account: User) -> list[str]:
    """Every page an administrator can open about staff access, as she sees it now."""
    return [
        client.get(reverse("staff_list")).content.decode(),
        client.get(reverse("staff_change", args=[account.pk])).content.decode(),
    ]


def test_neither_administrator_ever_sees_the_whole_temporary_password(
    client, world: World, abe: User
) -> None:
    signed_in(client, world.ada)
    asked = client.post(
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
    # The one who asks is shown her half once, on a page nobody caches.
    assert asked.status_code == 200
    assert asked["Cache-Control"] == "no-store"
    first = asked.context["half"]
    assert first
    assert first in asked.content.decode()
    requester_sees = [asked.content.decode(), *_pages(client, world.alice)]
    # Her half is kept only encrypted on the request, never on the log.
    pending = AccessChangeRequest.objects.get(subject=world.alice)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT password_half FROM people_accesschangerequest WHERE id = %s",
            [pending.pk.hex],
        )
        (stored,) = cursor.fetchone()
    assert stored
    assert first not in stored
    assert not any(first in str(e.detail) for e in AuditEntry.objects.all())

    signed_in(client, abe)
    approver_sees = _pages(client, world.alice)
    approved = client.post(reverse("access_request_approve", args=[pending.pk]))
    assert approved.status_code == 200
    assert approved["Cache-Control"] == "no-store"
    second = approved.context["half"]
    assert second
    assert second in approved.content.decode()
    approver_sees += [approved.content.decode(), *_pages(client, world.alice)]

    password = first + second
    world.alice.refresh_from_db()
    assert world.alice.check_password(password)
    assert not any(password in page for page in requester_sees + approver_sees)
    assert not any(second in page for page in requester_sees)
    assert not any(first in page for page in approver_sees)
    # Once set, no half is kept anywhere: not on the request, not on the log.
    assert AccessChangeRequest.objects.get(pk=pending.pk).password_half == ""
    assert not any(
        first in str(e.detail) or second in str(e.detail) for e in AuditEntry.objects.all()
    )


def test_a_declined_request_forgets_the_first_half(client, world: World, abe: User) -> None:
    signed_in(client, world.ada)
    client.post(
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
    pending = AccessChangeRequest.objects.get(subject=world.alice)
    old_hash = User.objects.get(pk=world.alice.pk).password
    signed_in(client, abe)
    client.post(reverse("access_request_decline", args=[pending.pk]))
    assert AccessChangeRequest.objects.get(pk=pending.pk).password_half == ""
    assert User.objects.get(pk=world.alice.pk).password == old_hash

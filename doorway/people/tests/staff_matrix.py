"""Permission-matrix rows for the staff access pages (/staff/): administrators only;
every other role gets 403 and changes nothing. Their own-account, own-request and
other-agency refusals are in test_staff_access_pages.py."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from doorway.people.capabilities import Action
from doorway.people.models import AccessChangeRequest, User
from doorway.people.roles import Role
from doorway.people.staff.actions import access_of, change_staff_access
from doorway.testing.factories import UserFactory
from doorway.testing.matrix import Endpoint, by_capability

STAFF = by_capability(Action.MANAGE_STAFF)
REASON = "Covering the program while its manager is away"


def setup(world: Any) -> dict[str, Any]:
    """A second administrator asked for a change to Bianca's access: Ada may decide it."""
    abe = UserFactory(username="abe", role=Role.ADMINISTRATOR, agency=world.agency, is_staff=True)
    pending = change_staff_access(world.bianca, by=abe, reason=REASON, role=Role.PROGRAM_MANAGER)
    return {"access_request": pending}


def snapshot(world: Any) -> tuple[object, ...]:
    return (
        tuple(access_of(u) for u in User.objects.order_by("pk")),
        tuple(AccessChangeRequest.objects.order_by("pk").values_list("pk", "status")),
    )


ENDPOINTS = [
    Endpoint("staff_list", "GET", lambda w, x: reverse("staff_list"), about_her=False, roles=STAFF),
    Endpoint(
        "staff_change",
        "GET",
        lambda w, x: reverse("staff_change", args=[w.amira.pk]),
        about_her=False,
        roles=STAFF,
    ),
    Endpoint(
        "staff_change",
        "POST",
        lambda w, x: reverse("staff_change", args=[w.amira.pk]),
        lambda w, x: {
            "role": Role.PROGRAM_MANAGER,
            "programs": [w.program.pk],
            "is_active": "on",
            "reason": REASON,
        },
        about_her=False,
        roles=STAFF,
    ),
    Endpoint(
        "access_request_approve",
        "POST",
        lambda w, x: reverse("access_request_approve", args=[x["access_request"].pk]),
        lambda w, x: {},
        about_her=False,
        roles=STAFF,
    ),
    Endpoint(
        "access_request_decline",
        "POST",
        lambda w, x: reverse("access_request_decline", args=[x["access_request"].pk]),
        lambda w, x: {},
        about_her=False,
        roles=STAFF,
    ),
]

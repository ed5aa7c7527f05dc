"""Review: an eligibility decision or a staff assignment made through the API (If-Match
is optional there) must not write back an enrolment read before someone else's change.

The enrolment's methods save the whole row. The API read the enrolment, then made the
change on that copy; a phase move committed in between (another worker, at the same
moment) was silently undone: the enrolment went back to the earlier phase while her
timeline says she moved on. Here the other worker's move is made while the request is
being read, after the enrolment was looked up, which is that moment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from doorway.enrolments import api as enrolments_api
from doorway.enrolments.models import Enrolment, EventKind, JourneyEvent

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def amira_moves_her_meanwhile(
    monkeypatch: pytest.MonkeyPatch, world: Any, serializer: type[Any]
) -> Any:
    """Amira moves Rosa to phase one while the request's body is being checked."""
    one = list(world.program.active_phases())[1]
    original: Callable[..., bool] = serializer.is_valid

    def is_valid(self: Any, *args: Any, **kwargs: Any) -> bool:
        if not JourneyEvent.objects.filter(
            enrolment=world.rosa_enrolment, kind=EventKind.ADVANCED
        ).exists():
            Enrolment.objects.get(pk=world.rosa_enrolment.pk).move_to(one, by=world.amira)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(serializer, "is_valid", is_valid)
    return one


def test_an_eligibility_decision_keeps_a_move_made_meanwhile(world, monkeypatch) -> None:
    one = amira_moves_her_meanwhile(monkeypatch, world, enrolments_api.EligibilityRequestSerializer)
    response = api(world.alice).post(
        f"/api/v1/enrolments/{world.rosa_enrolment.pk}/eligibility/",
        {"decision": "eligible", "reason": "Three factors"},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 200, response.json()
    stored = Enrolment.objects.get(pk=world.rosa_enrolment.pk)
    assert stored.eligibility == "eligible"
    assert stored.current_phase == one
    assert response.json()["current_phase"]["id"] == str(one.pk)


def test_an_assignment_keeps_a_move_made_meanwhile(world, monkeypatch) -> None:
    one = amira_moves_her_meanwhile(monkeypatch, world, enrolments_api.AssignmentRequestSerializer)
    response = api(world.morgan).post(
        f"/api/v1/enrolments/{world.rosa_enrolment.pk}/assignment/",
        {"case_manager": str(world.amira.pk), "peer_mentor": None},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 200, response.json()
    stored = Enrolment.objects.get(pk=world.rosa_enrolment.pk)
    assert stored.case_manager == world.amira
    assert stored.current_phase == one

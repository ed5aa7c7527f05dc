"""GET /api/v1/participants/{id}/copy/: the same copy and the same rule as the page."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from doorway.api.tokens import issue_token
from doorway.audit.models import AuditEntry
from doorway.disclosures.models import Channel, Disclosure
from doorway.people.models import User
from doorway.subject_access.tests.conftest import Seeded
from doorway.testing.signin import give_totp

pytestmark = pytest.mark.django_db


def client_of(user: User) -> APIClient:
    give_totp(user)  # no token without a second factor
    _, secret = issue_token(user, name="Test", scope="read", days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def url(seeded: Seeded) -> str:
    return f"/api/v1/participants/{seeded.world.rosa.pk}/copy/"


def made(seeded: Seeded) -> int:
    return Disclosure.objects.filter(
        participant=seeded.world.rosa, channel=Channel.SUBJECT_ACCESS
    ).count()


def test_her_case_manager_gets_her_copy_as_json_audited_and_logged(seeded: Seeded) -> None:
    response = client_of(seeded.world.alice).get(url(seeded))
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert body["identity"]["code"] == seeded.world.rosa.code
    assert body["enrolments"][0]["plan"]["her_words"] == "A flat of my own near my sister"
    assert response["Content-Language"] == "en-ca"
    assert made(seeded) == 1
    export = AuditEntry.objects.get(action="export", participant_id=str(seeded.world.rosa.pk))
    assert export.detail["via"] == "api"


@pytest.mark.parametrize("who", ["pat", "eve", "ada"])
def test_a_role_that_gives_no_copy_is_refused_403_before_any_record_is_looked_up(
    seeded: Seeded, who: str
) -> None:
    """A peer mentor (who reaches her), an evaluator and an administrator (who do not)
    are all answered 403, for her record as for one that does not exist: the answer
    tells them nothing about records."""
    client = client_of(seeded.world.staff()[who])
    response = client.get(url(seeded))
    assert response.status_code == 403
    assert "makes her copy" in response.json()["detail"]
    nobody = client.get(f"/api/v1/participants/{uuid.uuid4()}/copy/")
    assert (nobody.status_code, nobody.json()) == (403, response.json())
    assert made(seeded) == 0


@pytest.mark.parametrize("who", ["bianca", "oscar"])
def test_whoever_does_not_reach_her_gets_404_audited(seeded: Seeded, who: str) -> None:
    user = seeded.world.staff()[who]
    response = client_of(user).get(url(seeded))
    assert response.status_code == 404
    assert made(seeded) == 0
    refused = AuditEntry.objects.get(action="refused", actor_id=str(user.pk))
    assert refused.detail["object_id"] == str(seeded.world.rosa.pk)


def test_a_query_parameter_it_does_not_take_is_refused(seeded: Seeded) -> None:
    response = client_of(seeded.world.alice).get(url(seeded) + "?all=1")
    assert response.status_code == 400
    assert made(seeded) == 0


def test_it_is_in_the_openapi_schema(seeded: Seeded) -> None:
    response = client_of(seeded.world.alice).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/participants/{participant_id}/copy/" in text
    assert "HerCopy" in text

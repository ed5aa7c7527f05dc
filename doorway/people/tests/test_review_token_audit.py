"""Review: what a token read must be findable by its prefix in the audit log (so that
whatever a lost token read can be found). A name search answers codes, preferred names
and safety flags; its audit entry named no token, so a search made with a lost token
looked like one made on the page."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from doorway.api.tokens import issue_token
from doorway.audit.models import Action, AuditEntry
from doorway.testing.signin import give_totp

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_a_search_made_with_a_token_names_the_token(world) -> None:
    give_totp(world.alice)  # no token without a second factor
    token, secret = issue_token(world.alice, name="Script", scope="write", days=30)
    response = bearer(secret).post(
        "/api/v1/participants/search/", {"q": world.rosa.code}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert [row["id"] for row in response.json()["results"]] == [str(world.rosa.pk)]
    entry = AuditEntry.objects.filter(action=Action.SEARCH).latest("id")
    assert entry.actor_id == str(world.alice.pk)
    assert entry.detail["shown"] == [str(world.rosa.pk)]
    assert entry.detail["token"] == token.prefix

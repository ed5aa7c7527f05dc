"""Personal access tokens: kept hashed, acting as their owner, refused when expired,
revoked, malformed or when the owner is deactivated; a read token never writes."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.api.models import AccessToken, digest_of
from doorway.api.tests.conftest import MakeClient
from doorway.api.tokens import issue_token, revoke_token
from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.instruments.models import Administration
from doorway.testing.signin import give_totp


@pytest.fixture(autouse=True)
def _second_factors(world: World) -> None:
    """Every account here has an authenticator app: no token is made without one."""
    for user in world.staff().values():
        give_totp(user)


ANY_LIST = "/api/v1/administrations/"


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def assert_problem(response: Any, status: int) -> dict[str, object]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, object] = json.loads(response.content)
    assert body["status"] == status
    return body


def test_the_token_is_kept_only_as_a_digest_and_a_prefix(world: World) -> None:
    token, secret = issue_token(world.alice, name="Script", scope="read", days=30)
    assert secret.startswith("dw_")
    assert secret.startswith(token.prefix + "_")
    assert len(secret) == 55
    assert token.digest == digest_of(secret)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_accesstoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert secret not in stored
    assert secret[len(token.prefix) + 1 :] not in stored


def test_two_tokens_never_share_a_prefix_or_secret(world: World) -> None:
    made = [issue_token(world.alice, name=f"T{i}", scope="read", days=1) for i in range(20)]
    assert len({t.prefix for t, _ in made}) == 20
    assert len({s for _, s in made}) == 20


def test_a_token_authenticates_as_its_owner_and_its_reads_name_it(world: World) -> None:
    token, secret = issue_token(world.alice, name="Script", scope="read", days=30)
    response = bearer(secret).get(ANY_LIST)
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action=Action.LIST).latest("id")
    assert entry.actor_id == str(world.alice.pk)
    assert entry.detail["token"] == token.prefix


def test_a_token_records_when_it_was_last_used(world: World) -> None:
    token, secret = issue_token(world.alice, name="Script", scope="read", days=30)
    assert token.last_used_at is None
    bearer(secret).get(ANY_LIST)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_an_expired_token_is_refused_with_401(world: World) -> None:
    token, secret = issue_token(world.alice, name="Script", scope="read", days=1)
    AccessToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    body = assert_problem(bearer(secret).get(ANY_LIST), 401)
    assert "expired" in str(body["detail"])


def test_a_revoked_token_is_refused_with_401(world: World) -> None:
    token, secret = issue_token(world.alice, name="Script", scope="write", days=30)
    assert bearer(secret).get(ANY_LIST).status_code == 200
    revoke_token(token, actor=world.alice)
    response = bearer(secret).get(ANY_LIST)
    body = assert_problem(response, 401)
    assert "revoked" in str(body["detail"])
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_deactivated_owners_token_stops_working(world: World) -> None:
    _, secret = issue_token(world.alice, name="Script", scope="read", days=30)
    world.alice.is_active = False
    world.alice.save()
    assert_problem(bearer(secret).get(ANY_LIST), 401)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer dw_nonsense",
        "Bearer a b",
        "Bearer dw_AAAAAAAA_" + "B" * 43,
        "Bearer " + "é" * 10,
    ],
)
def test_a_malformed_or_unknown_token_is_refused_with_401(world: World, header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_problem(client.get(ANY_LIST), 401)


def test_a_wrong_secret_with_a_real_prefix_is_refused(world: World) -> None:
    token, secret = issue_token(world.alice, name="Script", scope="read", days=30)
    forged = token.prefix + "_" + ("A" if secret[-1] != "A" else "B") * 43
    assert_problem(bearer(forged).get(ANY_LIST), 401)


def test_without_any_credentials_the_api_answers_401(world: World) -> None:
    assert_problem(APIClient().get(ANY_LIST), 401)


def test_a_read_token_cannot_write_and_nothing_changes(
    world: World, token_client: MakeClient
) -> None:
    client = token_client(world.alice, "read")
    before = Administration.objects.count()
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(ANY_LIST, {"enrolment": str(world.rosa_enrolment.pk)})
        body = assert_problem(response, 403)
        assert "only read" in str(body["detail"])
    assert Administration.objects.count() == before


def test_making_and_revoking_a_token_is_audited_without_the_secret(world: World) -> None:
    token, secret = issue_token(world.alice, name="Script", scope="read", days=30)
    revoke_token(token, actor=world.alice)
    made = AuditEntry.objects.get(action=Action.CREATE, object_id=str(token.pk))
    revoked = AuditEntry.objects.get(action=Action.CHANGE, object_id=str(token.pk))
    assert made.detail["token"] == token.prefix
    assert revoked.detail["revoked"] is True
    for entry in (made, revoked):
        assert secret not in json.dumps(entry.detail)
        assert token.digest not in json.dumps(entry.detail)


def test_a_token_reaches_no_record_its_owner_cannot(world: World, token_client: MakeClient) -> None:
    """Bianca (South team) cannot read Rosa (Alice's, North team): neither can her token."""
    from doorway.api.tests.test_reach import reachable_detail_urls

    urls = reachable_detail_urls(world, world.alice, world.rosa)
    assert urls, "some resource must expose Rosa's records to Alice"
    alice, bianca = token_client(world.alice), token_client(world.bianca)
    for url in urls:
        assert alice.get(url).status_code == 200, url
        assert_problem(bianca.get(url), 404)


def test_bianca_s_token_is_answered_404_for_rosa_and_the_attempt_is_audited(
    world: World,
) -> None:
    token, secret = issue_token(world.bianca, name="Script", scope="write", days=30)
    client = bearer(secret)
    assert_problem(client.get(f"/api/v1/participants/{world.rosa.pk}/"), 404)
    refused = AuditEntry.objects.filter(action=Action.REFUSED).latest("id")
    assert refused.actor_id == str(world.bianca.pk)
    assert refused.detail["token"] == token.prefix
    listed = {row["id"] for row in client.get("/api/v1/participants/").json()["results"]}
    assert str(world.uma.pk) in listed
    assert str(world.rosa.pk) not in listed


def test_a_read_token_may_search_by_name_though_the_search_is_posted(
    world: World, token_client: MakeClient
) -> None:
    client = token_client(world.alice, "read")
    response = client.post("/api/v1/participants/search/", {"q": "Rosa Example"}, format="json")
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == [world.rosa.code]

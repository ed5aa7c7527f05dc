"""A `.json` suffix on any API address is never a server error.

Every address of the schema, with `.json` in place of its last slash, asked with each
method it documents by a program manager and a case manager: the answer may be a 404
(no such address), 405, 400 or a success, never a 500. (Before, each custom action
answered 500: the router added a `format` argument that the actions do not take.)
"""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from doorway.api.tokens import issue_token
from doorway.conftest import World
from doorway.testing.signin import give_totp

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"\{([^}]+)\}")


def schema_paths() -> dict[str, list[str]]:
    response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 200
    return {path: list(item) for path, item in response.json()["paths"].items()}


def test_no_address_with_a_json_suffix_is_a_server_error(world: World) -> None:
    clients = []
    for user in (world.morgan, world.alice):
        give_totp(user)
        _, secret = issue_token(user, name="Suffix", scope="write", days=1)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        clients.append(client)
    paths = schema_paths()
    assert any("/moves/" in path for path in paths)
    errors = []
    for path, methods in paths.items():
        concrete = PARAMETER.sub(
            lambda m: world.program.slug if m[1] == "program" else str(world.rosa_enrolment.pk),
            path,
        )
        url = concrete.rstrip("/") + ".json"
        for client in clients:
            for method in methods:
                response = getattr(client, method)(url, {}, format="json", HTTP_IF_MATCH="*")
                if response.status_code >= 500:
                    errors.append(f"{method.upper()} {path}: {response.status_code}")
    assert not errors, errors

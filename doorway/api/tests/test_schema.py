"""The OpenAPI schema: served as JSON (YAML on request) without credentials, names the
bearer token scheme, and documents every error as a problem+json body."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def schema(db: None) -> dict:
    response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return response.json()


def test_the_schema_names_the_token_scheme_for_every_operation(schema: dict) -> None:
    scheme = schema["components"]["securitySchemes"]["accessToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert operations
    for operation in operations:
        assert {"accessToken": []} in operation["security"], operation["operationId"]


def test_every_operation_documents_its_errors_as_problems(schema: dict) -> None:
    assert schema["components"]["schemas"]["Problem"]["required"] == [
        "type",
        "title",
        "status",
        "detail",
    ]
    for item in schema["paths"].values():
        for operation in item.values():
            responses = operation["responses"]
            assert {"401", "403", "429"} <= set(responses), operation["operationId"]
            for code, response in responses.items():
                if code[0] in "45":
                    assert "application/problem+json" in response["content"], (
                        operation["operationId"],
                        code,
                    )


def test_the_schema_is_yaml_when_asked(db: None) -> None:
    response = APIClient().get("/api/v1/schema/?format=yaml")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi:")


def test_request_bodies_allow_no_other_field_and_every_operation_may_answer_400(
    schema: dict,
) -> None:
    """The API refuses unknown body fields and query parameters (400): the schema says so."""
    requests = {
        name: body
        for name, body in schema["components"]["schemas"].items()
        if name.endswith("Request") and body.get("type") == "object"
    }
    assert requests
    for name, body in requests.items():
        assert body["additionalProperties"] is False, name
    for item in schema["paths"].values():
        for operation in item.values():
            assert "400" in operation["responses"], operation["operationId"]

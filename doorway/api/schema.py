"""What the OpenAPI schema says about authentication: the bearer token scheme, so that
Swagger UI's "Authorize" and generated clients send `Authorization: Bearer dw_…`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class AccessTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # drf-spectacular: __init_subclass__ is unannotated
    target_class = "doorway.api.authentication.AccessTokenAuthentication"
    name = "accessToken"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "dw_ token",
            "description": "A personal access token, made on the API tokens page of your "
            "account or with `doorway token create`. It acts as you, and expires.",
        }


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error, as RFC 9457 describes it (application/problem+json).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "For bad input: messages in plain words, keyed by field "
            "(a nested field by its path, e.g. `identity.date_of_birth`).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "retry_after": {
            "type": "integer",
            "description": "For 429: seconds to wait before asking again.",
        },
    },
    "required": ["type", "title", "status", "detail"],
}
# Answers any operation may give, whatever else it documents.
COMMON_PROBLEMS = {
    "400": "Bad request: a body field or query parameter the operation does not take "
    "(named in `errors`), or input that needs attention. Nothing was changed.",
    "401": "No valid credentials: no token, or one that is unknown, expired or revoked.",
    "403": "Not allowed: her role may not do this, or a read-only token tried to write.",
    "429": "Too many requests: wait the `Retry-After` seconds and ask again.",
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def document_problems(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Postprocessing hook: every error answer of every operation is a Problem body in
    `application/problem+json`, and 400, 401, 403 and 429 are listed everywhere, so that
    generated clients parse errors and the fuzzer checks their bodies too. Request
    bodies allow no property beyond their fields."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    # A body may hold only the fields the operation takes (doorway/api/strict.py).
    for name, schema in schemas.items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema.setdefault("additionalProperties", False)
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, description in COMMON_PROBLEMS.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if str(code)[0] in "45" and not response.get("content"):
                    response["content"] = {"application/problem+json": {"schema": PROBLEM_REF}}
                    if str(code) == "429":
                        response["headers"] = {
                            "Retry-After": {
                                "schema": {"type": "integer"},
                                "description": "Seconds to wait.",
                            }
                        }
    return result

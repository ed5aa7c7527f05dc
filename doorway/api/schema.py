"""What the OpenAPI schema says about authentication: the bearer token scheme, so that
Swagger UI's "Authorize" and generated clients send `Authorization: Bearer dw_…`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class AccessTokenScheme(OpenApiAuthenticationExtension):
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

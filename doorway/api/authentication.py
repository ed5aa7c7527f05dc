"""`Authorization: Bearer dw_…`: a personal access token authenticates as its owner.

A request without that header falls through to the next class (the browser's session).
A request with it is answered 401 (problem+json, with `WWW-Authenticate`) when the
token is malformed, unknown, expired, revoked, or its owner deactivated; and 429 once
an address has had too many tokens refused in a short time (`DOORWAY_API_BAD_TOKEN_RATE`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from doorway.api.models import AccessToken
from doorway.api.throttles import BadTokenThrottle
from doorway.api.tokens import Refused, token_for

KEYWORD = b"bearer"


class AccessTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, AccessToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        throttle = BadTokenThrottle()
        wait = throttle.refuses(request)
        if wait is not None:
            raise exceptions.Throttled(wait, gettext("Too many refused tokens from this address."))
        try:
            if len(parts) != 2:
                raise Refused(
                    gettext("Send the token as `Authorization: Bearer <token>`, nothing else.")
                )
            access = token_for(parts[1].decode("ascii"))
        except (UnicodeDecodeError, Refused) as refused:
            throttle.failed(request)
            message = (
                str(refused) if isinstance(refused, Refused) else gettext("The token is not valid.")
            )
            raise exceptions.AuthenticationFailed(message) from None
        return access.owner, access

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'

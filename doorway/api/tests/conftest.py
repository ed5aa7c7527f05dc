from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from doorway.api.tokens import issue_token
from doorway.people.models import User
from doorway.testing.signin import give_totp

MakeClient = Callable[..., APIClient]


@pytest.fixture
def token_client(db: None) -> MakeClient:
    """`token_client(user, scope="read")`: an API client carrying a new token of hers
    (she is given an authenticator app first, as a token needs one)."""

    def make(user: User, scope: str = "read", days: int = 30) -> APIClient:
        give_totp(user)  # no token without a second factor
        _, secret = issue_token(user, name="Test", scope=scope, days=days)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return make

"""Why a token is refused is said through translation: under a language whose catalogue
marks every message it translates, each refusal comes out marked."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.utils import timezone, translation

from doorway.api.models import AccessToken
from doorway.api.tokens import Refused, issue_token, token_for
from doorway.conftest import World
from doorway.testing.signin import give_totp
from doorway.testing.translation import MARK, marked_language

pytestmark = pytest.mark.django_db


@pytest.fixture
def marked() -> Iterator[None]:
    with marked_language():
        yield


def _refusal(token: str) -> str:
    with pytest.raises(Refused) as refused:
        token_for(token)
    return str(refused.value)


def test_every_refusal_of_a_token_is_translated(world: World, marked) -> None:
    give_totp(world.alice)
    assert _refusal("not-a-token").startswith(MARK)
    access, token = issue_token(world.alice, name="laptop", scope="read", days=30)
    AccessToken.objects.filter(pk=access.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert _refusal(token).startswith(f"{MARK}The token has expired")
    AccessToken.objects.filter(pk=access.pk).update(revoked_at=timezone.now())
    assert _refusal(token).startswith(f"{MARK}The token was revoked")
    AccessToken.objects.filter(pk=access.pk).update(
        revoked_at=None, expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    type(world.alice).objects.filter(pk=world.alice.pk).update(is_active=False)
    assert _refusal(token).startswith(f"{MARK}The token's account is deactivated")


def test_a_malformed_authorization_header_is_refused_translated(client) -> None:
    # The request's own language (LocaleMiddleware) is the one the refusal is said in.
    message = "Send the token as `Authorization: Bearer <token>`, nothing else."
    with translation.override("fr-ca"):
        french = translation.gettext(message)
    assert french != message
    response = client.get(
        "/api/v1/", HTTP_AUTHORIZATION="Bearer one two", HTTP_ACCEPT_LANGUAGE="fr-CA"
    )
    assert response.status_code == 401
    assert response.json()["detail"] == french

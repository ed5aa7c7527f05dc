"""The API tokens page of her account: make (shown once), list, revoke her own only."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from doorway.api.models import AccessToken, Scope, digest_of
from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.people.models import User
from doorway.testing.signin import signed_in as signed_in_as

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

TOKEN = re.compile(r"dw_[A-Za-z0-9]{8}_[A-Za-z0-9]{43}")


@pytest.fixture
def signed_in(client: Client) -> Callable[[User], Client]:
    return lambda user: signed_in_as(client, user)


def make(client: Client, **data: object) -> TestResponse:
    form = {"name": "Monthly report", "scope": "read", "expires": "30", **data}
    return client.post(reverse("token_list"), form)


@pytest.mark.parametrize("who", ["alice", "pat", "morgan", "eve", "ada"])
def test_every_role_makes_a_token_shown_once(world: World, signed_in, who: str) -> None:
    user = world.staff()[who]
    client = signed_in(user)
    response = make(client)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    shown = TOKEN.findall(response.content.decode())
    assert len(set(shown)) == 1
    token = AccessToken.objects.get(owner=user)
    assert token.digest == digest_of(shown[0])
    assert token.scope == Scope.READ
    assert AuditEntry.objects.filter(action=Action.CREATE, object_id=str(token.pk)).exists()
    # Shown once: the list page never shows it again.
    again = client.get(reverse("token_list")).content.decode()
    assert shown[0] not in again
    assert token.prefix in again


def test_bad_input_is_refused_in_plain_words_and_makes_nothing(world: World, signed_in) -> None:
    client = signed_in(world.alice)
    response = make(client, name="", scope="root", expires="9999")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required" in page
    assert not AccessToken.objects.exists()


def test_she_revokes_her_token_after_confirming(world: World, signed_in) -> None:
    client = signed_in(world.alice)
    make(client)
    token = AccessToken.objects.get()
    url = reverse("token_revoke", kwargs={"token_id": token.pk})
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Revoke it" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    response = client.post(url)
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action=Action.CHANGE, object_id=str(token.pk)).exists()
    # Her tokens in use no longer list it; asked for, the past ones show it revoked.
    page = client.get(reverse("token_list")).content.decode()
    assert f"<code>{token.prefix}…</code>" not in page
    assert "You have no tokens in use." in page
    past = client.get(reverse("token_list"), {"past": "1"}).content.decode()
    assert f"<code>{token.prefix}…</code>" in past
    assert "Revoked" in past


def test_she_cannot_see_or_revoke_anothers_token(world: World, signed_in) -> None:
    make(signed_in(world.alice))
    token = AccessToken.objects.get()
    client = signed_in(world.bianca)
    assert token.prefix not in client.get(reverse("token_list")).content.decode()
    url = reverse("token_revoke", kwargs={"token_id": token.pk})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_page_needs_a_signed_in_person(world: World, client: Client) -> None:
    response = client.get(reverse("token_list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_account_tabs_lead_to_the_tokens_page(world: World, signed_in) -> None:
    page = signed_in(world.alice).get(reverse("usersessions_list")).content.decode()
    assert reverse("token_list") in page


def test_she_may_not_use_a_token_to_make_tokens(world: World, token_client) -> None:
    """A token reaches the API only; the settings page wants her signed in."""
    client = token_client(world.alice, "write")
    response = client.post(reverse("token_list"), {"name": "x", "scope": "write", "expires": "7"})
    assert response.status_code == 302
    assert not AccessToken.objects.filter(name="x").exists()


def test_the_page_lists_her_tokens_in_use_and_counts_the_others(world: World, signed_in) -> None:
    """A script that makes a token on every run leaves one behind each time: the page
    lists only those still usable, and shows the revoked and expired ones when asked."""
    client = signed_in(world.alice)
    make(client, name="In use")
    make(client, name="Revoked one")
    make(client, name="Expired one")
    now = timezone.now()
    AccessToken.objects.filter(name="Revoked one").update(revoked_at=now)
    AccessToken.objects.filter(name="Expired one").update(
        created_at=now - datetime.timedelta(days=2), expires_at=now - datetime.timedelta(days=1)
    )
    live, revoked, expired = (
        AccessToken.objects.get(name=n) for n in ("In use", "Revoked one", "Expired one")
    )
    page = client.get(reverse("token_list")).content.decode()
    assert live.prefix in page
    assert revoked.prefix not in page
    assert expired.prefix not in page
    assert "Show the revoked and expired tokens (2)" in page
    past = client.get(reverse("token_list"), {"past": "1"}).content.decode()
    assert live.prefix in past
    assert revoked.prefix in past
    assert expired.prefix in past
    assert "Hide the revoked and expired tokens" in past


def test_the_page_costs_the_same_however_many_tokens_she_had(world: World, signed_in) -> None:
    client = signed_in(world.alice)
    make(client)
    client.get(reverse("token_list"))

    def shown() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("token_list")).content.decode()
        return len(captured), page.count('class="list-group-item"')

    before = shown()
    for _ in range(5):
        make(client, name="Run of a script")
    AccessToken.objects.filter(name="Run of a script").update(revoked_at=timezone.now())
    assert shown() == before

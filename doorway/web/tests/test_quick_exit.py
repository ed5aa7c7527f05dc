"""The quick exit (web/leave.py): a neutral page anyone may open, and a sign-out on the
way there; the button is on every page, signed in or not."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.shortcuts import render
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

LEAVE = "/leave/"


def neutral(html: str) -> bool:
    return "Doorway" not in html and "<script" not in html and "Weather" in html


def test_the_neutral_page_says_nothing_of_doorway(client: Client) -> None:
    response = client.get(LEAVE)
    assert response.status_code == 200
    assert neutral(response.content.decode())


def test_leaving_signs_her_out_and_is_audited(client: Client, world: World) -> None:
    signed_in(client, world.alice)
    response = client.post(LEAVE)
    assert response.status_code == 303
    assert response["Location"] == LEAVE
    assert AuditEntry.objects.filter(action=Action.SIGN_OUT, actor_id=world.alice.pk).count() == 1
    # The pages behind her in the history now ask her to sign in.
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("account_login"))


def test_the_beacon_is_answered_with_nothing(client: Client, world: World) -> None:
    signed_in(client, world.alice)
    response = client.post(LEAVE, {"beacon": "1"})
    assert response.status_code == 204
    assert response.content == b""
    assert client.get(reverse("home")).status_code == 302


def test_leaving_when_signed_out_changes_nothing(client: Client) -> None:
    response = client.post(LEAVE)
    assert response.status_code == 303
    assert not AuditEntry.objects.filter(action=Action.SIGN_OUT).exists()


def test_a_sign_out_without_the_form_token_is_refused(world: World) -> None:
    # Another site cannot sign her out by posting here.
    client = Client(enforce_csrf_checks=True)
    signed_in(client, world.alice)
    assert client.post(LEAVE).status_code == 403
    assert client.get(reverse("home")).status_code == 200


def test_leaving_is_let_through_before_the_second_factor_is_set_up(
    client: Client, world: World
) -> None:
    # Signed in with her password, no authenticator app yet: every other page sends her
    # to set one up.
    client.force_login(world.alice)
    assert client.get(reverse("home")).status_code == 302
    response = client.get(LEAVE)
    assert response.status_code == 200
    assert neutral(response.content.decode())


@pytest.mark.parametrize("signed", [True, False])
def test_every_page_has_the_quick_exit(client: Client, world: World, signed: bool) -> None:
    if signed:
        signed_in(client, world.morgan)
        urls = [reverse("home"), reverse("participant_detail", args=[world.rosa.pk])]
    else:
        urls = [reverse("account_login"), reverse("account_reset_password")]
    urls.append("/no-such-page/")
    for url in urls:
        html = client.get(url).content.decode()
        assert f'action="{LEAVE}"' in html, url
        assert "doorway/quick-exit.js" in html, url


def test_the_neutral_page_is_shown_when_the_sign_out_lands_while_it_is_asked_for(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # quick-exit.js sends the sign-out (a beacon) and asks for the neutral page at the same
    # moment. Here the beacon lands after the page's request has read her session and
    # before its answer is sent: the session it read is gone by then.
    signed_in(client, world.alice)
    beacon = Client()
    beacon.cookies = client.cookies

    def render_after_the_beacon(*args, **kwargs):
        assert beacon.post(LEAVE, {"beacon": "1"}).status_code == 204
        return render(*args, **kwargs)

    monkeypatch.setattr("doorway.web.leave.render", render_after_the_beacon)
    response = client.get(LEAVE)
    assert response.status_code == 200
    assert neutral(response.content.decode())
    assert AuditEntry.objects.filter(action=Action.SIGN_OUT, actor_id=world.alice.pk).count() == 1
    # Nothing brought her session back.
    assert client.get(reverse("home")).status_code == 302


def test_the_neutral_page_does_not_keep_her_session_alive(client: Client, world: World) -> None:
    signed_in(client, world.alice)
    key = client.session.session_key
    before = Session.objects.get(session_key=key).expire_date
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert client.get(LEAVE).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == before

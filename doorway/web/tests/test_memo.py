"""The parts of the page frame drawn once per process ({% memo %}): the menu, the drafts
script's dialog, the empty token form. Each is what a fresh drawing gives, follows the
page, the role and the language, and never keeps anything of a person's."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from doorway.conftest import World
from doorway.testing.signin import signed_in
from doorway.web.templatetags import memo

# The menu's list, up to what follows it (the search box or her account menu).
NAV = re.compile(r'<ul class="navbar-nav me-auto">.*?</ul>\s*(?=<form|<div class="dropdown)', re.S)


def nav_of(html: str) -> str:
    found = NAV.search(html)
    assert found is not None
    return found.group(0)


@pytest.fixture(autouse=True)
def empty_memo() -> None:
    memo.forget()


def test_the_menu_is_drawn_once_per_role_and_page(client: Client, world: World) -> None:
    signed_in(client, world.alice)
    first = client.get("/tokens/")
    assert "web/_nav.html" in [t.name for t in first.templates]
    again = client.get("/tokens/")
    assert "web/_nav.html" not in [t.name for t in again.templates]
    assert nav_of(again.content.decode()) == nav_of(first.content.decode())


@pytest.mark.parametrize("who", ["alice", "pat", "morgan", "eve", "ada"])
def test_the_memoised_menu_is_the_one_drawn_afresh(client: Client, world: World, who: str) -> None:
    signed_in(client, world.staff()[who])
    for page in ("/tokens/", "/"):
        memo.forget()
        fresh = client.get(page, follow=True).content.decode()
        kept = client.get(page, follow=True).content.decode()
        assert nav_of(kept) == nav_of(fresh)


def test_the_menu_follows_the_page_and_the_language(client: Client, world: World) -> None:
    signed_in(client, world.alice)
    client.get("/")
    caseload = nav_of(client.get(reverse("caseload")).content.decode())
    assert f'aria-current="page" href="{reverse("caseload")}"' in caseload
    home = nav_of(client.get("/").content.decode())
    assert f'aria-current="page" href="{reverse("home")}"' in home
    assert caseload != home
    french = client.get("/", headers={"accept-language": "fr-CA"}).content.decode()
    assert ">Accueil<" in nav_of(french)
    assert ">Home<" not in nav_of(french)


def test_the_drafts_script_still_counts_her_idle_seconds_each_time(
    client: Client, world: World
) -> None:
    signed_in(client, world.alice)
    pages = [client.get("/tokens/").content.decode() for _ in range(2)]
    for html in pages:
        assert re.search(r'data-drafts [^>]*data-login-url="[^"]+" data-idle-seconds="\d+"', html)
        assert 'id="drafts-ui"' in html


def test_the_token_form_sent_back_keeps_her_words_and_the_next_empty_one_does_not(
    client: Client, world: World
) -> None:
    signed_in(client, world.alice)
    client.get(reverse("token_list"))
    refused = client.post(
        reverse("token_list"),
        {"name": "Quarterly figures script", "scope": "write", "expires": "0"},
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'value="Quarterly figures script"' in html
    assert re.search(r'value="write"[^>]*checked', html)
    empty = client.get(reverse("token_list")).content.decode()
    assert "Quarterly figures script" not in empty
    assert re.search(r'value="read"[^>]*checked', empty)

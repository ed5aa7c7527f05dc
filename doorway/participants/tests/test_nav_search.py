"""The participant search box in the navigation: on every page for whoever may search
participants, on none for the others, and posted so that a name never reaches a URL."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.people.actions import break_the_glass
from doorway.testing.signin import signed_in
from doorway.tests.test_permission_matrix import ENDPOINTS, setup_extras

pytestmark = pytest.mark.django_db

BOX = re.compile(
    r'<form method="post" action="/participants/" role="search" aria-label="[^"]+"[^>]*>'
    r'.*?<label class="visually-hidden" for="nav-search-q">[^<]+</label>'
    r'.*?<input type="search" name="q" id="nav-search-q"',
    re.S,
)


def pages_for(client: Client, world: World) -> dict[str, str]:
    """Every page of the permission matrix she is shown, as HTML."""
    extras = setup_extras(world)
    shown = {}
    for endpoint in ENDPOINTS:
        if endpoint.method != "GET":
            continue
        response = client.get(endpoint.url(world, extras))
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            page = response.content.decode()
            if "<nav" in page and not page.lstrip().startswith("<div"):
                shown[endpoint.name] = page
    shown["home"] = client.get(reverse("home")).content.decode()
    return shown


@pytest.mark.parametrize("who", ["alice", "morgan", "pat"])
def test_the_box_is_on_every_page_for_those_who_search(client, world: World, who: str) -> None:
    signed_in(client, world.staff()[who])
    pages = pages_for(client, world)
    assert len(pages) > 10
    missing = [name for name, page in pages.items() if not BOX.search(page)]
    assert missing == []


@pytest.mark.parametrize("who", ["eve"])
def test_the_box_is_on_no_page_for_those_who_may_not_search(client, world: World, who: str) -> None:
    signed_in(client, world.staff()[who])
    pages = pages_for(client, world)
    assert pages
    assert [name for name, page in pages.items() if "nav-search-q" in page] == []
    # And the search it would post to refuses her.
    assert client.post(reverse("participant_list"), {"q": "Ros"}).status_code == 404


def test_an_administrator_finds_only_those_she_broke_the_glass_for(client, world) -> None:
    signed_in(client, world.ada)
    assert "nav-search-q" in client.get(reverse("home")).content.decode()
    page = client.post(reverse("participant_list"), {"q": "Ros"}).content.decode()
    assert world.rosa.code not in page
    break_the_glass(world.rosa, by=world.ada, reason="She asked us to check her file today.")
    page = client.post(reverse("participant_list"), {"q": "Ros"}).content.decode()
    assert world.rosa.code in page


def test_searching_from_the_box_finds_her_and_keeps_the_name_out_of_urls_and_the_log(
    client, world: World
) -> None:
    signed_in(client, world.alice)
    response = client.post(reverse("participant_list"), {"q": "Rosa"}, follow=True)
    assert response.redirect_chain == []
    assert world.rosa.code in response.content.decode()
    assert "Rosa" not in response.request["PATH_INFO"]
    assert not response.request.get("QUERY_STRING")
    entry = AuditEntry.objects.filter(action=Action.SEARCH).get()
    assert "rosa" not in entry.canonical().decode().lower()

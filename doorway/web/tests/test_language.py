"""French or English: the switch in the header, her account's choice, and the page's
`lang` that follows them."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from doorway.testing.factories import UserFactory
from doorway.testing.signin import give_totp, sign_in_client, signed_in

pytestmark = pytest.mark.django_db


def page_language(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_the_sign_in_page_follows_the_browser_and_offers_the_other_language(
    client: Client,
) -> None:
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
    html = page.content.decode()
    assert page_language(html) == "fr-ca"
    assert 'name="language" value="en-ca"' in html
    assert 'value="fr-ca"' not in html

    english = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-CA")
    assert page_language(english.content.decode()) == "en-ca"
    assert 'name="language" value="fr-ca"' in english.content.decode()


def test_choosing_french_while_signed_in_is_kept_on_her_account(client: Client) -> None:
    worker = UserFactory(role="case_manager")
    signed_in(client, worker)
    answer = client.post(reverse("set_language"), {"language": "fr-ca", "next": "/caseload/"})
    assert answer.status_code == 302
    assert answer["Location"] == "/caseload/"
    worker.refresh_from_db()
    assert worker.language == "fr-ca"

    # Another computer, whose browser asks for English: her choice wins.
    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="en-CA")
    signed_in(elsewhere, worker)
    assert page_language(elsewhere.get(reverse("home")).content.decode()) == "fr-ca"


def test_signing_in_activates_her_language_and_sets_the_cookie(client: Client) -> None:
    worker = UserFactory(role="case_manager", language="fr-ca")
    give_totp(worker)
    sign_in_client(client, worker, HTTP_ACCEPT_LANGUAGE="en-CA")
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-CA")
    assert page_language(home.content.decode()) == "fr-ca"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr-ca"


def test_without_a_choice_her_pages_follow_the_browser(client: Client) -> None:
    worker = UserFactory(role="case_manager")
    signed_in(client, worker)
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr-CA")
    assert page_language(home.content.decode()) == "fr-ca"


def test_a_language_doorway_does_not_speak_changes_nothing(client: Client) -> None:
    worker = UserFactory(role="case_manager", language="en-ca")
    signed_in(client, worker)
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    worker.refresh_from_db()
    assert worker.language == "en-ca"


def test_the_switch_is_a_post_with_its_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    refused = client.post(reverse("set_language"), {"language": "fr-ca", "next": "/"})
    assert refused.status_code == 403
    assert client.get(reverse("set_language")).status_code == 405


def test_the_switch_names_each_language_in_itself(client: Client) -> None:
    french = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr-CA").content.decode()
    assert re.search(r'value="en-ca" lang="en">\s*English\s*</button>', french)
    assert "Anglais" not in french

    english = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-CA").content.decode()
    assert re.search(r'value="fr-ca" lang="fr">\s*Français\s*</button>', english)

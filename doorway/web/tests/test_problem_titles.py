"""A problem's title is read by a person: it is in her language, like its detail, while
its status stays the number a program reads."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import translation

from doorway.web.errors import problem_body

pytestmark = pytest.mark.django_db


def test_the_title_follows_the_language() -> None:
    with translation.override("en-ca"):
        assert problem_body(404, "x")["title"] == "Not found"
    with translation.override("fr-ca"):
        body = problem_body(404, "x")
    assert body["title"] == "Introuvable"
    assert body["status"] == 404


def test_a_status_without_a_title_of_ours_keeps_its_phrase() -> None:
    assert problem_body(418, "x")["title"] == "I'm a Teapot"


def test_an_api_answer_in_french_says_it_in_french(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="fr-CA")
    assert response.status_code == 404
    body = json.loads(response.content)
    assert body["title"] == "Introuvable"
    assert body["status"] == 404

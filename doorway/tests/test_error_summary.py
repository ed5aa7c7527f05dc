"""A refused form opens with a summary of what to fix (web/_form_errors.html): an alert
that can take the focus, every error a link to its field, and each field marked invalid
and described by its error. The browser's side (the focus) is in test_keyboard_journey."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from doorway.casework.models import Contact
from doorway.conftest import World
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


class Elements(HTMLParser):
    """Every element's attributes, by id, and the summary's links in order."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str | None]] = {}
        self.summary_links: list[str] = []
        self.summaries: list[dict[str, str | None]] = []
        self.depth_in_summary = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.by_id[str(found["id"])] = found
        if "data-error-summary" in found:
            self.summaries.append(found)
            self.depth_in_summary = 1
        elif self.depth_in_summary and tag == "div":
            self.depth_in_summary += 1
        if self.depth_in_summary and tag == "a":
            self.summary_links.append(str(found.get("href")))

    def handle_endtag(self, tag: str) -> None:
        if self.depth_in_summary and tag == "div":
            self.depth_in_summary -= 1


def test_a_refused_contact_opens_with_a_summary_linking_each_error_to_its_field(
    client: Client, world: World
) -> None:
    signed_in(client, world.alice)
    url = reverse("contact_record", args=[world.rosa_enrolment.pk])
    version = re.search(r'name="version" value="([^"]*)"', client.get(url).content.decode())
    response = client.post(
        url,
        {
            "happened_on": "not a date",
            "duration_minutes": "30",
            "kind": "",
            "note": "",
            "version": version.group(1) if version else "",
        },
    )

    assert response.status_code == 200
    assert not Contact.objects.filter(enrolment=world.rosa_enrolment).exists()
    page = Elements()
    page.feed(response.content.decode())
    assert len(page.summaries) == 1
    summary = page.summaries[0]
    assert summary["role"] == "alert"
    assert summary["tabindex"] == "-1"
    assert summary["aria-labelledby"] in page.by_id
    # Whatever the form's prefix: its date and its kind.
    assert any(link.endswith("_happened_on") for link in page.summary_links)
    assert any(link.endswith("_kind") for link in page.summary_links)
    for link in page.summary_links:
        field = page.by_id[link.removeprefix("#")]
        assert field["aria-invalid"] == "true", link
        described = str(field["aria-describedby"]).split()
        assert described
        assert all(part in page.by_id for part in described), link


def test_a_form_shown_for_the_first_time_has_no_summary(client: Client, world: World) -> None:
    signed_in(client, world.alice)
    response = client.get(reverse("contact_record", args=[world.rosa_enrolment.pk]))

    assert "data-error-summary" not in response.content.decode()

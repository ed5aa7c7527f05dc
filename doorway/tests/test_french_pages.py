"""No English left on a page shown in French.

Every GET page of the permission matrix (doorway/tests/test_permission_matrix.py's
world and rows), the home page and the sign-in page are rendered in French as each
role that may read them (one person of each role), and the text a person reads is
taken out of the HTML: text nodes, and the `aria-label`, `title`, `placeholder` and
`alt` attributes. What is data is left out: anything inside an element marked
`translate="no"` or `data-her-words` (her words, notes, names typed by staff; the
templates that print free text mark it so), `<script>`, `<style>`, `<code>`, and
hidden inputs.

The heuristic that calls a text English (documented here because it is one):

1. the text is, whole, an English message of one of the catalogues whose French
   differs (a string marked for translation whose French was not used: not marked in
   this template, or its catalogue not compiled); or
2. the text has at least two words and contains, as a whole word, one of the English
   function words in `ENGLISH_WORDS` ("the", "and", "of", "her", "to", ...): words
   that no French sentence uses, so that a French page holding one is showing an
   English sentence (a string never marked for translation).

Names, codes, dates and numbers have none of these words and are left alone; data that
does (a partner agency called "House of Hope") belongs inside `translate="no"`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from doorway.conftest import World
from doorway.programs.models import FocusArea, Phase
from doorway.testing.matrix import EVERYONE, OK, ROLE_OF, Endpoint
from doorway.testing.signin import signed_in
from doorway.tests.test_permission_matrix import ENDPOINTS, setup_extras

pytestmark = pytest.mark.django_db

FRENCH = "fr-ca"
ENGLISH_WORDS = frozenset({
    "the", "and", "of", "her", "to", "is", "are", "was", "were", "with", "your", "this",
    "that", "has", "have", "been", "will", "from", "not", "yet", "who", "what", "which",
    "when", "there", "their", "she", "he", "it", "its", "by", "for", "you", "can", "no",
    "in", "at", "since", "before", "after", "until", "about", "or", "each", "every",
    "than", "into", "out", "our", "my", "we",
})  # fmt: skip
WORD = re.compile(r"[A-Za-zÀ-ÿ']+")
SKIPPED_ELEMENTS = {"script", "style", "code", "template", "noscript"}
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "source", "track", "wbr",
}  # fmt: skip


def english_messages() -> frozenset[str]:
    """Every msgid of the catalogues whose French is not the same words."""
    found: set[str] = set()
    for locale in settings.LOCALE_PATHS:
        po = Path(locale) / "fr" / "LC_MESSAGES" / "django.po"
        if not po.exists():
            continue
        for entry in polib.pofile(str(po)):
            if entry.msgid != entry.msgstr and not entry.msgid_plural and "%" not in entry.msgid:
                found.add(" ".join(entry.msgid.split()))
    return frozenset(found)


class ReadText(HTMLParser):
    """The text a person reads, without data and code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        skip = (
            tag in SKIPPED_ELEMENTS
            or attributes.get("translate") == "no"
            or "data-her-words" in attributes
            or (tag == "input" and attributes.get("type") == "hidden")
        )
        if not skip and not self.skipping():
            self.texts.extend(v for k in READ_ATTRIBUTES if (v := attributes.get(k)))
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching tag (HTML lets some end tags be left out).
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self.skipping() and data.strip():
            self.texts.append(data)


def english_left(html: str, messages: frozenset[str]) -> list[str]:
    reader = ReadText()
    reader.feed(html)
    found = []
    for raw in reader.texts:
        text = " ".join(raw.split())
        words = [w.lower() for w in WORD.findall(text)]
        if text in messages or (len(words) >= 2 and ENGLISH_WORDS.intersection(words)):
            found.append(text)
    return found


def test_the_heuristic_finds_english_and_leaves_french_and_data_alone() -> None:
    html = """
      <h1>Son plan</h1><p>Plan review due since 2026-01-05.</p>
      <p>Aucun objectif pour l'instant.</p><a aria-label="Open her plan">x</a>
      <blockquote translate="no">I want to see my kids and have a home of my own</blockquote>
      <div data-her-words><p>Her words stay hers</p></div>
      <input type="hidden" value="the and of"><p>EDH-4K7P2Q · 12 · Rosa Example</p>
      <span>Cancel</span>
    """
    assert english_left(html, frozenset({"Cancel"})) == [
        "Plan review due since 2026-01-05.",
        "Open her plan",
        "Cancel",
    ]


def readers(endpoint: Endpoint) -> list[str]:
    """One person of each role that may read the page."""
    seen: set[str] = set()
    chosen = []
    for who in EVERYONE:
        if endpoint.expected(who) == OK and ROLE_OF[who] not in seen:
            seen.add(ROLE_OF[who])
            chosen.append(who)
    return chosen


PAGES = [e for e in ENDPOINTS if e.method == "GET"]


def in_french(client: Client, world: World, who: str, url: str) -> Any:
    user = world.staff()[who]
    user.language = FRENCH
    user.save(update_fields=["language"])
    signed_in(client, user)
    return client.get(url)


@pytest.mark.parametrize("endpoint", PAGES, ids=lambda e: e.name)
def test_a_page_in_french_shows_no_english(world: World, endpoint: Endpoint) -> None:
    messages = english_messages()
    # What is printed for her is in her language: make it French too.
    world.rosa.preferred_language = FRENCH
    world.rosa.save(update_fields=["preferred_language"])
    # The agency writes its phase and focus-area names in French too (programs: name_fr);
    # numbered, not slugged: a slug such as "work-and-learning" holds English words.
    for phase in Phase.objects.filter(name_fr=""):
        Phase.objects.filter(pk=phase.pk).update(name_fr=f"Étape {phase.order + 1}")
    for area in FocusArea.objects.filter(name_fr=""):
        FocusArea.objects.filter(pk=area.pk).update(name_fr=f"Domaine n° {area.pk}")
    extras = setup_extras(world)
    url = endpoint.url(world, extras)
    problems = []
    for who in readers(endpoint):
        page = in_french(Client(), world, who, url)
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        problems += [f"{who}: {text}" for text in english_left(page.content.decode(), messages)]
    assert not problems, f"{endpoint.name} ({url}) shows English: {sorted(set(problems))[:15]}"


def test_the_home_and_sign_in_pages_in_french_show_no_english(world: World) -> None:
    messages = english_messages()
    problems = []
    for who in ("alice", "pat", "morgan", "eve", "ada"):
        page = in_french(Client(), world, who, reverse("home"))
        problems += [f"home ({who}): {t}" for t in english_left(page.content.decode(), messages)]
    sign_in = Client().get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr-CA")
    problems += [f"sign-in: {t}" for t in english_left(sign_in.content.decode(), messages)]
    assert not problems, sorted(set(problems))[:30]

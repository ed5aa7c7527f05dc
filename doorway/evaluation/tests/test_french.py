"""The evaluation page and the funder report (its page and its PDF) read in French by
someone whose browser asks for fr-ca: no English sentence of the evaluation's catalogue
is left on them, numbers are written the French way (a decimal comma, a space before %
and $), and every figure is the same as in English."""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from weasyprint import HTML

from doorway.evaluation import snapshots, views
from doorway.evaluation.pdf import render_pdf
from doorway.evaluation.tests.fakes import fake_report
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-ca"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-ca"}
CATALOGUE = Path(views.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"
# A placeholder, or a tag, splits a message into the words a reader would see.
PIECES = re.compile(r"%\(\w+\)[sdr]|%%|\{\w*\}|<[^>]+>")


def english_phrases() -> list[str]:
    """Every run of three words or more of the catalogue's English whose French differs:
    seeing one on a French page means a string escaped translation."""
    phrases = set()
    for entry in polib.pofile(str(CATALOGUE)):
        for piece in PIECES.split(entry.msgid):
            piece = piece.strip(" .,:;()“”")
            if len(piece.split()) >= 3 and piece not in entry.msgstr:
                phrases.add(piece)
    return sorted(phrases)


def visible_text(page: str) -> str:
    """What a reader sees: no scripts (the charts' JSON), no tags, spaces collapsed."""
    page = re.sub(r"<script\b.*?</script>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    # Only the spaces of the source: a non-breaking one is part of what she reads.
    return re.sub(r"[ \t\r\n]+", " ", html_module.unescape(page))


def english_left(text: str) -> list[str]:
    return [phrase for phrase in english_phrases() if phrase in text]


def tables(page: str) -> str:
    return " ".join(re.findall(r"<table\b.*?</table>", page, flags=re.S))


def figures(text: str, *, french: bool) -> list[str]:
    """The numbers in the text, written one way: "15 292,42 $" and "$15 292.42" both
    give 15292.42. Thousands are grouped with a non-breaking space in both languages;
    cells are apart by ordinary spaces."""
    text = re.sub(r"(?<=\d)[\u00a0\u202f](?=\d{3}\b)", "", visible_text(text))
    if french:
        text = re.sub(r"(?<=\d),(?=\d)", ".", text)
    else:
        text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return re.findall(r"\d+(?:\.\d+)?", text)


@pytest.fixture(autouse=True)
def back_to_english() -> Iterator[None]:
    """A request under fr-ca leaves French active in the test's thread: the next test
    must start in the default language again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshots, "build_report", lambda cohort: fake_report(cohort.program.slug))


def get(client: Client, url: str, language: dict[str, str]) -> str:
    response = client.get(url, **language)  # type: ignore[arg-type]
    assert response.status_code == 200
    return response.content.decode()


def every_section(client: Client, world: Any, language: dict[str, str]) -> str:
    """The evaluation's overview and each of its sections' pages, one after the other."""
    return "".join(
        get(client, reverse(name, args=[world.program.slug]), language)
        for name in views.SECTIONS.values()
    )


def test_the_evaluation_page_is_in_french_with_the_same_figures(
    client: Client, world: Any, fake: None
) -> None:
    signed_in(client, world.morgan)
    french = every_section(client, world, FRENCH)
    text = visible_text(french)
    assert english_left(text) == []
    assert "Progrès par domaine d'intervention" in text
    assert "Test des rangs signés de Wilcoxon" in text
    # 19 of 30 progressed: 63 %, with the space French puts before it.
    assert "63\u00a0%" in text
    assert "19\u00a0549,97\u00a0$" in text
    # The overview's first answer: 19 of the 30 women assessed improved.
    assert "19 des 30 femmes évaluées" in text
    english = every_section(client, world, ENGLISH)
    assert "63%" in visible_text(english)
    # Django's en-CA groups thousands with a space too.
    assert "$19\u00a0549.97" in visible_text(english)
    assert figures(tables(french), french=True) == figures(tables(english), french=False)


def test_the_funder_report_page_is_in_french_with_the_same_figures(
    client: Client, world: Any, fake: None, any_cohort_size: None
) -> None:
    signed_in(client, world.morgan)
    url = reverse("funder_report", args=[world.program.slug])
    french = get(client, url, FRENCH)
    text = visible_text(french)
    assert english_left(text) == []
    assert "rapport aux bailleurs de fonds" in text
    assert "Coût par participante" in text
    english = get(client, url, ENGLISH)
    assert figures(tables(french), french=True) == figures(tables(english), french=False)
    # The bars' labels, drawn on the server, carry the same shares.
    svg = re.findall(r"<svg\b.*?</svg>", french, flags=re.S)
    assert svg
    assert "\u00a0%" in svg[0]


def test_the_funder_report_pdf_is_in_french(
    client: Client, world: Any, fake: None, any_cohort_size: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PDF is drawn from the HTML the view hands to WeasyPrint: that HTML is French,
    and so is the text WeasyPrint lays out on its pages."""
    handed: list[str] = []

    def keep(html: str) -> bytes:
        handed.append(html)
        return render_pdf(html)

    monkeypatch.setattr(views, "render_pdf", keep)
    signed_in(client, world.morgan)
    response = client.get(reverse("funder_report_pdf", args=[world.program.slug]), **FRENCH)  # type: ignore[arg-type]
    assert response.content.startswith(b"%PDF")
    (source,) = handed
    assert '<html lang="fr-ca">' in source
    laid_out = " ".join(
        box.text
        for page in HTML(string=source).render().pages
        for box in page._page_box.descendants()
        if hasattr(box, "text")
    )
    laid_out = re.sub(r"[ \t\r\n]+", " ", laid_out)
    assert english_left(laid_out) == []
    assert "rapport aux bailleurs de fonds" in laid_out
    assert "Calculé par Doorway" in laid_out

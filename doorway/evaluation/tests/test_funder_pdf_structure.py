"""The funder report's PDF is tagged for a screen reader (PDF/UA-1: a structure tree,
marked content, the document's language and title), in English and in French, and its
headings are never left alone at the foot of a page."""

from __future__ import annotations

import re
import zlib
from typing import Any

import pytest
from django.urls import reverse
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from doorway.evaluation import snapshots, views
from doorway.evaluation.pdf import BASE_URL, StaticOnlyFetcher, render_pdf
from doorway.evaluation.tests.fakes import fake_report
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's bytes with every compressed stream inflated beside them: the catalogue
    and the structure tree are in compressed object streams."""
    found = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            found.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"\n".join(found)


def pdf_string(raw: bytes) -> str:
    """A PDF text string, literal "(...)" or hexadecimal "<FEFF...>" (UTF-16)."""
    if raw.startswith(b"<"):
        data = bytes.fromhex(raw[1:-1].decode())
        return data[2:].decode("utf-16-be") if data.startswith(b"\xfe\xff") else data.decode()
    return raw[1:-1].replace(rb"\(", b"(").replace(rb"\)", b")").decode("latin-1")


@pytest.fixture
def handed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML the view hands to WeasyPrint."""
    kept: list[str] = []

    def keep(html: str) -> bytes:
        kept.append(html)
        return render_pdf(html)

    monkeypatch.setattr(views, "render_pdf", keep)
    return kept


@pytest.mark.parametrize(
    ("accept", "lang", "title"),
    [("en-ca", "en-ca", "report to funders"), ("fr-ca", "fr-ca", "rapport aux bailleurs")],
)
def test_the_pdf_is_tagged_with_its_language_and_title(
    client: Any,
    world: Any,
    monkeypatch: pytest.MonkeyPatch,
    any_cohort_size: None,
    accept,
    lang,
    title,
) -> None:
    monkeypatch.setattr(snapshots, "build_report", lambda cohort: fake_report(cohort.program.slug))
    signed_in(client, world.morgan)
    response = client.get(
        reverse("funder_report_pdf", args=[world.program.slug]), HTTP_ACCEPT_LANGUAGE=accept
    )
    assert response.status_code == 200
    objects = pdf_objects(response.content)
    assert b"/StructTreeRoot" in objects
    assert re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true", objects)
    # Headings, tables and the charts (as figures with their alternative text) are tagged.
    for tag in (b"/S /H1", b"/S /H2", b"/S /Table", b"/S /TH", b"/S /Figure", b"/S /L"):
        assert tag in objects
    assert re.search(rb"/Alt\s*[(<]", objects)
    langs = {pdf_string(m) for m in re.findall(rb"/Lang\s*(\([^)]*\)|<[0-9A-Fa-f]+>)", objects)}
    assert {lang.lower() for lang in langs} == {lang}
    titles = [pdf_string(m) for m in re.findall(rb"/Title\s*(\([^)]*\)|<[0-9A-Fa-f]+>)", objects)]
    assert any(title in t for t in titles)
    assert b"/DisplayDocTitle true" in objects


def laid_out(source: str) -> tuple[dict[Any, Any], list[Any]]:
    """({element: its parent}, the pages) of the HTML as WeasyPrint lays it out."""
    html = HTML(string=source, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
    root = html.etree_element
    return {child: parent for parent in root.iter() for child in parent}, html.render().pages


def pages_of(pages: list[Any]) -> dict[Any, list[int]]:
    """{element: the pages it is on}."""
    on: dict[Any, list[int]] = {}
    for number, page in enumerate(pages):
        for box in page._page_box.descendants():
            if box.element is not None and number not in on.setdefault(box.element, []):
                on[box.element].append(number)
    return on


def together(parents: dict[Any, Any], pages: list[Any]) -> None:
    """Every heading on the page where what follows it starts; every table's caption on
    the page of its first row."""
    on = pages_of(pages)
    after = {a: b for parent in on for a, b in zip(list(parent), list(parent)[1:], strict=False)}
    headings = [e for e in on if e.tag in ("h2", "h3") and e in after]
    assert len(headings) >= 4
    for element in headings:
        assert on[after[element]][0] == on[element][-1], f"{element.text} alone on its page"
    for table in (e for e in on if e.tag == "table"):
        caption = table.find("caption")
        row = table.find("tbody/tr")
        if caption is not None and row is not None:
            assert on[caption][-1] == on[row][0], f"{caption.text} apart from its table"


def first_blocks(parents: dict[Any, Any], pages: list[Any], section_id: str) -> list[Any]:
    """(page box, box) of the section's headings, paragraphs, captions and table rows on
    the page where the section starts, in order."""
    found = []
    for page in pages:
        for box in page._page_box.descendants():
            element = box.element
            if not isinstance(box, boxes.BlockBox | boxes.TableRowBox) or element is None:
                continue
            if element.tag not in ("h2", "p", "caption", "tr") or box.element_tag != element.tag:
                continue
            ancestor = element
            while ancestor is not None and ancestor.get("aria-labelledby") != section_id:
                ancestor = parents.get(ancestor)
            if ancestor is not None:
                found.append((page._page_box, box))
        if found:
            return found
    return found


def test_a_section_pushed_to_the_foot_of_a_page_keeps_its_heading_and_captions(
    client: Any, world: Any, monkeypatch: pytest.MonkeyPatch, any_cohort_size: None, handed
) -> None:
    """Wherever the foot of a page falls in a section's first lines (just under its
    heading, its first paragraph, its table's caption or one of its first rows), the
    heading is not left alone at the foot of the page, nor a caption apart from its
    table. A spacer before the section moves the foot there."""
    monkeypatch.setattr(snapshots, "build_report", lambda cohort: fake_report(cohort.program.slug))
    signed_in(client, world.morgan)
    client.get(reverse("funder_report_pdf", args=[world.program.slug]))
    (source,) = handed
    section = '<section aria-labelledby="f-involvement"'
    assert section in source
    together(*laid_out(source))
    # The section at the top of a page, then moved down by a spacer until the foot of
    # the page falls just under each of its first blocks in turn.
    top = '<div style="break-before: page"></div>'
    parents, pages = laid_out(source.replace(section, top + section))
    tried = 0
    for page, box in first_blocks(parents, pages, "f-involvement")[:5]:
        spare = page.content_box_y() + page.height - (box.position_y + box.margin_height())
        spacer = f'<div style="height: {spare - 1}px"></div>'
        together(*laid_out(source.replace(section, top + spacer + section)))
        tried += 1
    assert tried >= 4


def test_the_page_footer_is_in_the_readers_language(
    client: Any, world: Any, monkeypatch: pytest.MonkeyPatch, any_cohort_size: None, handed
) -> None:
    monkeypatch.setattr(snapshots, "build_report", lambda cohort: fake_report(cohort.program.slug))
    signed_in(client, world.morgan)
    address = reverse("funder_report_pdf", args=[world.program.slug])
    client.get(address, HTTP_ACCEPT_LANGUAGE="fr-ca")
    client.get(address, HTTP_ACCEPT_LANGUAGE="en-ca")
    french, english = handed
    assert '"Page " counter(page) " sur " counter(pages)' in french
    assert '"Page " counter(page) " of " counter(pages)' in english

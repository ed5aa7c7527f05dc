"""The funder report as PDF, through WeasyPrint.

WeasyPrint would fetch whatever a page points at (any http URL, any file on the
server). Our fetcher reads Doorway's own static files and nothing else: the report's
stylesheet and images come from there, and everything else is refused.

Every PDF is tagged (`PDF_VARIANT`), so that a screen reader can follow it.
"""

from __future__ import annotations

import mimetypes
import posixpath
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The page is rendered as if served from here; only paths under STATIC_URL are read.
BASE_URL = "https://doorway.invalid/"


class RefusedURL(ValueError):
    """A URL outside Doorway's static files."""


def static_path(url: str) -> str:
    """The file on disk behind one of our static URLs; RefusedURL for anything else."""
    parts = urlsplit(url)
    base = urlsplit(BASE_URL)
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(
        prefix
    ):
        raise RefusedURL(f"Only Doorway's static files may be read, not {parts.scheme} URLs here.")
    name = unquote(parts.path[len(prefix) :])
    if not name or posixpath.normpath(name) != name or name.startswith(("/", "..")):
        raise RefusedURL("Not a static file name.")
    found = finders.find(name)
    if isinstance(found, list):
        found = found[0] if found else None
    if found is None and staticfiles_storage.exists(name):
        found = staticfiles_storage.path(name)
    if found is None:
        raise RefusedURL("No such static file.")
    return str(found)


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint ships no types
    def __init__(self) -> None:
        super().__init__(allowed_protocols=["https"], allow_redirects=False)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = static_path(url)
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        with open(path, "rb") as f:
            body = f.read()
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})


# Tagged PDF (PDF/UA-1): headings, paragraphs, lists and tables carry their structure
# for a screen reader, the document's language is the `lang` of its <html>, and its
# title (the <title>) is what a reader's window shows.
PDF_VARIANT = "pdf/ua-1"


def render_pdf(html: str) -> bytes:
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf(
        pdf_variant=PDF_VARIANT
    )
    assert pdf is not None
    return bytes(pdf)

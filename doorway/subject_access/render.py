"""Her copy written out: JSON for a machine, PDF for her to read.

The PDF goes through the funder report's WeasyPrint setup (`doorway.evaluation.pdf`:
only Doorway's own static files are fetched, DejaVu fonts through Pango), with the
document's language set to hers, so that a screen reader reads it in her language.
"""

from __future__ import annotations

import json
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from doorway.evaluation.pdf import render_pdf


class Format:
    PDF = "pdf"
    JSON = "json"
    CHOICES = (PDF, JSON)


CONTENT_TYPES = {Format.PDF: "application/pdf", Format.JSON: "application/json"}


def as_json(copy: dict[str, Any]) -> bytes:
    return json.dumps(copy, ensure_ascii=False, indent=2).encode("utf-8")


def as_html(copy: dict[str, Any]) -> str:
    """The copy's page, written in the copy's own language (hers), whatever the
    language of whoever asks for it."""
    with translation.override(copy["language"]):
        return render_to_string("subject_access/copy_pdf.html", {"copy": copy})


def as_pdf(copy: dict[str, Any]) -> bytes:
    return render_pdf(as_html(copy))


def written(copy: dict[str, Any], format: str) -> bytes:
    return as_pdf(copy) if format == Format.PDF else as_json(copy)


def filename(copy: dict[str, Any], format: str) -> str:
    # Her code only: a name of hers never goes into a file name.
    return f"{copy['identity']['code']}-copy-{copy['made_on']}.{format}"

"""An import read in French: the problems a worker reads when a row or a whole file is
refused are in French under fr-ca, with no English sentence of the exchange catalogue
left, and the template's column names, which Doorway reads back, stay the same."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from doorway.exchange.imports import engine
from doorway.exchange.models import ImportJob
from doorway.exchange.tests.importing_helpers import (
    PARTICIPANT_HEADER,
    csv_file,
    participant_row,
)
from doorway.people.models import Participant
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-ca"}
CATALOGUE = Path(engine.__file__).parents[1] / "locale" / "fr" / "LC_MESSAGES" / "django.po"
PIECES = re.compile(r"%\(\w+\)[sdr]|%%|\{\w*\}|<[^>]+>")


def english_left(text: str) -> list[str]:
    """Runs of three words or more of the catalogue's English found in the text."""
    found = set()
    for entry in polib.pofile(str(CATALOGUE)):
        for piece in PIECES.split(entry.msgid):
            piece = piece.strip(" .,:;()“”")
            if len(piece.split()) >= 3 and piece not in entry.msgstr and piece in text:
                found.add(piece)
    return sorted(found)


def visible_text(page: str) -> str:
    page = re.sub(r"<script\b.*?</script>", " ", page, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(autouse=True)
def back_to_english() -> Iterator[None]:
    """A request under fr-ca leaves French active in the test's thread: the next test
    must start in the default language again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def upload(client: Client, data: bytes, name: str = "file.csv") -> Any:
    return client.post(
        reverse("import_kind", args=["participants"]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
        **FRENCH,  # type: ignore[arg-type]
    )


def test_the_problems_of_a_refused_row_are_in_french(client: Client, world: Any) -> None:
    signed_in(client, world.alice)
    rows = [participant_row("P1", "Nadia", dob="1990-13-01", source="nowhere")]
    response = upload(client, csv_file(PARTICIPANT_HEADER, rows))
    page = visible_text(client.get(response.url, **FRENCH).content.decode())  # type: ignore[arg-type]
    assert english_left(page) == []
    assert "Rien n'a été enregistré." in page
    assert "Cette date n'existe pas. Écrivez-la 2024-03-31." in page
    assert "source d'orientation inconnu\u00a0: «\u00a0nowhere\u00a0»" in page
    # The column is named as the file names it: the header Doorway reads.
    assert "Date of birth" in page
    assert Participant.objects.with_name("Nadia Importedsurname").count() == 0


def test_a_file_refused_whole_is_refused_in_french(client: Client, world: Any) -> None:
    signed_in(client, world.alice)
    response = upload(client, b"%PDF-1.7 not a sheet", name="caseload.xlsx")
    text = visible_text(response.content.decode())
    assert "C'est un PDF, pas un tableur. Téléversez un fichier CSV ou XLSX." in text
    assert english_left(text) == []
    assert ImportJob.objects.count() == 0


def test_the_english_column_names_are_read_under_french(client: Client, world: Any) -> None:
    signed_in(client, world.alice)
    response = upload(client, csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia")]))
    page = visible_text(client.get(response.url, **FRENCH).content.decode())  # type: ignore[arg-type]
    assert "La vérification n'a trouvé aucun problème. 1 ligne sera importée." in page
    assert english_left(page) == []

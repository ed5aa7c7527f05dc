"""What the research export says to people (the refusal of an export without a reason,
the refusal of a too-small one, the disclosure rule and the data dictionary) goes
through Django's translation functions: with a French catalogue holding a message, the
French is what she reads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import trans_real

from doorway.evaluation import export
from doorway.evaluation.cohort import Cohort
from doorway.evaluation.models import ResearchExportRecord

pytestmark = pytest.mark.django_db

FRENCH = {
    "Say why you need this export.": "Dites pourquoi il vous faut cet export.",
    "Fewer than %(threshold)s women in this cohort consented to the evaluation "
    "research: an export this small could identify them, so none was made.": (
        "Moins de %(threshold)s femmes ont consenti : aucun export."
    ),
    "What was generalised in this export:": "Ce qui a été généralisé :",
}


@pytest.fixture
def french() -> Iterator[None]:
    # gettext keeps the catalogue in a private attribute, which the stubs do not declare.
    catalogue = vars(trans_real.translation("fr"))["_catalog"]
    before = {m: catalogue.get(m) for m in FRENCH}
    for message, text in FRENCH.items():
        catalogue[message] = text
    try:
        with translation.override("fr"):
            yield
    finally:
        for message, text in before.items():
            if text is None:
                catalogue._catalogs[0].pop(message, None)  # the catalogue has no pop
            else:
                catalogue[message] = text


def test_the_refusals_are_translated(world, french) -> None:
    cohort = Cohort(program=world.program)
    with pytest.raises(ValidationError) as missing:
        export.take_research_export(cohort, by=world.eve, reason=" ")
    assert missing.value.message_dict["reason"] == [FRENCH["Say why you need this export."]]
    with pytest.raises(ValidationError) as small:
        export.take_research_export(cohort, by=world.eve, reason="Analyse annuelle")
    assert small.value.messages == ["Moins de 5 femmes ont consenti : aucun export."]
    assert not ResearchExportRecord.objects.exists()


def test_the_data_dictionary_is_translated(world, french) -> None:
    made = export.ResearchExport(Cohort(program=world.program), export.columns_for([]), [])
    assert "Ce qui a été généralisé :" in made.dictionary()

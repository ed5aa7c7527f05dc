"""`doorway evaluate` in French: its human lines (titles, the cohort, the participants'
line, the definitions) are French under fr-ca, and its figures are exactly those it
prints in English."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from doorway.evaluation.tests.records import rate, woman
from doorway.instruments.models import Timepoint
from doorway.programs.models import CostCategory, CostLine

pytestmark = pytest.mark.django_db


def evaluate(language: str, *args: str) -> str:
    out = io.StringIO()
    with translation.override(language):
        call_command("evaluate", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def records(world: Any) -> None:
    cycle = world.rosa_enrolment.cycle
    CostLine.objects.create(cycle=cycle, category=CostCategory.STAFF, amount=Decimal("900.00"))
    her = woman(world, cycle)
    rate(her, {"money": 2, "accommodation": 5}, ago=30, timepoint=Timepoint.INTAKE)
    rate(her, {"money": 4, "accommodation": 5}, ago=5, timepoint=Timepoint.PHASE_CHANGE)


def test_the_table_speaks_french_and_keeps_its_figures(world: Any, records: None) -> None:
    args = ("--program", world.program.slug, "--format", "table")
    french, english = evaluate("fr-ca", *args), evaluate("en-ca", *args)
    assert "Domaines d'intervention" in french
    assert "Participantes à l'évaluation (consentantes)" in french
    assert "- Données manquantes : " in french.replace("\u00a0", " ")
    assert "Focus areas" not in french
    assert "Definitions" not in french

    def rows(text: str) -> list[str]:
        # The tables' rows: identifiers and figures, the same in every language.
        return [line for line in text.splitlines() if "  " in line]

    assert rows(french) == rows(english)
    assert rows(english)


def test_the_csv_keeps_its_identifiers_and_figures(world: Any, records: None) -> None:
    args = ("--program", world.program.slug, "--format", "csv")
    french, english = evaluate("fr-ca", *args), evaluate("en-ca", *args)
    assert "# Domaines d'intervention" in french

    def data(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("#")]

    assert data(french) == data(english)

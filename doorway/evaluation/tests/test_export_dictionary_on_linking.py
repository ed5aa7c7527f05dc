"""Two research exports of overlapping cycles are generalised each for its own rows, so
they can differ; a woman's ratings and answers are the same in both, so her two rows can
be lined up. The data dictionary must not promise that rows of two exports cannot be
matched: it says they can."""

from __future__ import annotations

import pytest

from doorway.evaluation.cohort import Cohort
from doorway.evaluation.export import build_export
from doorway.evaluation.tests.test_export import consenting
from doorway.testing.factories import CycleFactory

pytestmark = pytest.mark.django_db


def test_the_dictionary_says_two_exports_can_be_lined_up(world) -> None:
    first = world.rosa_enrolment.cycle
    second = CycleFactory(program=world.program, name="Cycle 2")
    consenting(world, 6)
    consenting(world, 2, cycle=second)
    alone = build_export(Cohort(program=world.program, cycles=(first,)))
    both = build_export(Cohort(program=world.program, cycles=(first, second)))
    # The same women, generalised differently in the two exports.
    assert {r["cycle"] for r in alone.rows} != {r["cycle"] for r in both.rows}
    for export in (alone, both):
        dictionary = export.dictionary()
        assert "cannot be matched" not in dictionary
        assert "can be lined up row to row" in dictionary

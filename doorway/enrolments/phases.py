"""Phases as CTI speaks of them: "Phase 2 — Service implementation and behaviour change".

A phase's number is its position among the program's phases still in use, counted from
0: the first phase is the pre-phase of making the connection, and the three after it are
CTI's phases 1 to 3 (the caseload numbers them the same way). A retired phase keeps its
name only: it has no place in the order any more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.utils.translation import gettext

if TYPE_CHECKING:
    from doorway.programs.models import Phase, Program


def phase_title(number: int | None, name: str) -> str:
    if number is None:
        return name
    return gettext("Phase %(number)s — %(name)s") % {"number": number, "name": name}


def phase_numbers(program: Program) -> dict[UUID, int]:
    """Each phase still in use, by id, with its number (one query)."""
    return {
        phase_id: n
        for n, phase_id in enumerate(program.active_phases().values_list("pk", flat=True))
    }


def numbered(phase: Phase, numbers: dict[UUID, int]) -> str:
    return phase_title(numbers.get(phase.pk), phase.local_name)

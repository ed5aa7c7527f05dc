"""How many women are on a caseload: the one count the home page and the caseload page
both show, so that they never disagree.

A caseload is the open enrolments of a worker (or of the scope asked for). Graduates
whose follow-up is still due and women with a closing note still to write are on the
caseload page as things to do, but they are no longer on her caseload: they are not
counted here, nor against the program's caseload limit.

It sits below the caseload and the home page (web) because both read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Min, QuerySet

from doorway.enrolments.models import Enrolment


@dataclass(frozen=True)
class CaseloadSize:
    open: int
    # The lowest caseload limit of the programs her open enrolments are in (None: none).
    limit: int | None

    @property
    def over(self) -> bool:
        return self.limit is not None and self.open > self.limit


def caseload_size(enrolments: QuerySet[Enrolment]) -> CaseloadSize:
    """Count the open enrolments among `enrolments` (already narrowed by the access rule
    and to the worker or scope), with their programs' lowest limit. One query."""
    found = enrolments.filter(exit_reason="").aggregate(
        open=Count("pk"), limit=Min("cycle__program__caseload_limit")
    )
    return CaseloadSize(open=found["open"], limit=found["limit"])

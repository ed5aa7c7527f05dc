"""Caseload rule: a graduated enrolment without a closing note has one to write, due on
the day she graduated. One query, whatever the number of enrolments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from doorway.enrolments.due import Due, DueKind
from doorway.enrolments.models import Enrolment, ExitReason


def closing_notes_due(enrolments: Sequence[Enrolment]) -> Iterable[Due]:
    ids = [e.pk for e in enrolments if e.exit_reason == ExitReason.GRADUATED]
    if not ids:
        return []
    rows = Enrolment.objects.filter(
        pk__in=ids, closing_note__isnull=True, exited_on__isnull=False
    ).values_list("pk", "exited_on")
    return [
        Due(enrolment_id=pk, kind=DueKind.CLOSING_NOTE, due_on=exited_on, label="Closing note")
        for pk, exited_on in rows
        if exited_on is not None
    ]

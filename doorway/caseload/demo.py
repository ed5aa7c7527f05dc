"""The demo's due items: computed once its records are loaded, so that the first
caseload page opened is right before the worker has caught up."""

from __future__ import annotations

import random

from doorway.caseload.refresh import refresh_everyone


def refresh_due_items(rng: random.Random | None = None) -> int:
    """Recompute every watched enrolment's due items; returns how many were written.
    Nothing random: due dates follow from the records (`rng` only matches the other
    parts' demo functions)."""
    return refresh_everyone()

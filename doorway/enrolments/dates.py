"""The date of something that happened in her time with the program: not in the
future, not before her referral. One check, worded by each record it dates."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from doorway.enrolments.models import Enrolment


def date_problem(
    day: datetime.date, enrolment: Enrolment, *, cannot: str = "It cannot be dated"
) -> str:
    """What is wrong with `day` for `enrolment`, or "" when nothing is. `cannot` starts
    the message: "A contact cannot be dated" gives "A contact cannot be dated in the
    future." or "... before her referral (2025-01-31)."."""
    if day > timezone.localdate():
        return f"{cannot} in the future."
    if day < enrolment.referred_on:
        return f"{cannot} before her referral ({enrolment.referred_on:%Y-%m-%d})."
    return ""


def check_date(
    errors: dict[str, str],
    field: str,
    day: datetime.date | None,
    enrolment: Enrolment,
    *,
    missing: str = "Give the date.",
    cannot: str = "It cannot be dated",
) -> None:
    """For an action gathering its errors by field: `missing` when no date was given,
    otherwise `date_problem`'s message, if any."""
    if day is None:
        errors[field] = missing
    elif problem := date_problem(day, enrolment, cannot=cannot):
        errors[field] = problem

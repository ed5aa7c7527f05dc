"""The date of something that happened in her time with the program: not in the
future, not before her referral. One check, worded by each record it dates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from doorway.enrolments.models import Enrolment


@dataclass(frozen=True)
class DateWording:
    """The two refusals for one kind of record, each a whole sentence (translators
    see the sentence, not a piece of one); `before_referral` has `%(date)s`."""

    future: str | Promise
    before_referral: str | Promise


IT = DateWording(
    future=_("It cannot be dated in the future."),
    before_referral=_("It cannot be dated before her referral (%(date)s)."),
)
CONTACT = DateWording(
    future=_("A contact cannot be dated in the future."),
    before_referral=_("A contact cannot be dated before her referral (%(date)s)."),
)
THIS_DATE = DateWording(
    future=_("This date cannot be in the future."),
    before_referral=_("This date cannot be before her referral (%(date)s)."),
)


def date_problem(day: datetime.date, enrolment: Enrolment, *, cannot: DateWording = IT) -> str:
    """What is wrong with `day` for `enrolment`, or "" when nothing is, in the words
    of `cannot`: `CONTACT` gives "A contact cannot be dated in the future." or "A
    contact cannot be dated before her referral (31 janvier 2025)."."""
    if day > timezone.localdate():
        return str(cannot.future)
    if day < enrolment.referred_on:
        return str(cannot.before_referral) % {"date": date_format(enrolment.referred_on)}
    return ""


def check_date(
    errors: dict[str, str],
    field: str,
    day: datetime.date | None,
    enrolment: Enrolment,
    *,
    missing: str | Promise | None = None,
    cannot: DateWording = IT,
) -> None:
    """For an action gathering its errors by field: `missing` when no date was given,
    otherwise `date_problem`'s message, if any."""
    if day is None:
        errors[field] = str(missing if missing is not None else _("Give the date."))
    elif problem := date_problem(day, enrolment, cannot=cannot):
        errors[field] = problem

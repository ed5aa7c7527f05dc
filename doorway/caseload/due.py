"""What is due for whom: the caseload's own due-date rules of the CTI rhythm (contact
cadence, a phase outstayed, the follow-up after graduation).

A rule takes the enrolments a refresh covers and says what is due for each, and from
which day. The refresh (`doorway.caseload.refresh`) runs every rule in its `RULES` and
stores the answers as `DueItem` rows; nobody types a due date.

The words a rule answers in (`Due`, `DueKind`) and `refresh_after_commit`, which every
action that writes something a rule reads calls, are in `doorway.enrolments.due`, below
the apps whose records the rules read.

A rule: ``def rule(enrolments: Sequence[Enrolment]) -> Iterable[Due]``, in a FIXED number
of queries for any number of enrolments (aggregate in SQL; never a query per enrolment).
`enrolments` are those the refresh covers, with current_phase and cycle__program loaded;
a rule picks the ones it is about (open ones, graduated ones) itself.

Each rule returns its dues whatever today is: the page compares `due_on` with today, so
what it shows is right even on a day the daily refresh has not run yet.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_noop

from doorway.casework.models import Contact, ContactKind
from doorway.enrolments.due import Due, DueKind
from doorway.enrolments.models import Enrolment, ExitReason
from doorway.instruments.queries import follow_ups_done as completed_follow_ups
from doorway.programs.models import ContactCadence

# Stored in English in the due items, translated when shown (`gettext(label)`).
CONTACT_LABELS = {
    ContactCadence.WEEKLY: gettext_noop("Weekly contact"),
    ContactCadence.FORTNIGHTLY: gettext_noop("Contact every two weeks"),
    ContactCadence.MONTHLY: gettext_noop("Monthly contact"),
}


# A referral is due for news this many days after its last dated step; the caseload
# shows "no news for N days" from it (N = days past due_on + this).
REFERRAL_NEWS_DAYS = 14
# A follow-up still undone this many days after it fell due is no longer asked for.
FOLLOW_UP_WINDOW_DAYS = 90


def contact_due(enrolments: Sequence[Enrolment]) -> Iterable[Due]:
    """Open enrolments in a phase with a cadence: due the cadence's days after her last
    contact with the care team since the phase began (peer contacts are the peer
    mentor's, not the care team's), or after the phase start if there has been none.
    One query."""
    watched = [
        e for e in enrolments if e.is_open and ContactCadence(e.current_phase.contact_cadence).days
    ]
    if not watched:
        return []
    last = dict(
        Contact.objects.filter(enrolment__in=[e.pk for e in watched])
        .exclude(kind=ContactKind.PEER_CONTACT)
        .values_list("enrolment")
        .annotate(last=Max("happened_on"))
        .order_by()
    )
    dues = []
    for e in watched:
        cadence = ContactCadence(e.current_phase.contact_cadence)
        assert cadence.days is not None
        since = e.phase_started_on
        if (contact_on := last.get(e.pk)) is not None and contact_on > since:
            since = contact_on
        dues.append(
            Due(
                enrolment_id=e.pk,
                kind=DueKind.CONTACT,
                due_on=since + datetime.timedelta(days=cadence.days),
                label=CONTACT_LABELS[cadence],
            )
        )
    return dues


def phase_overstayed(enrolments: Sequence[Enrolment]) -> Iterable[Due]:
    """Open enrolments in a phase with an expected length: due the day that length is
    reached, overdue from the day after. No query."""
    dues = []
    for e in enrolments:
        expected = e.current_phase.expected_days
        if not e.is_open or not expected:
            continue
        dues.append(
            Due(
                enrolment_id=e.pk,
                kind=DueKind.PHASE_OVERSTAYED,
                due_on=e.phase_started_on + datetime.timedelta(days=expected),
                label=f"Expected about {expected} days in {e.current_phase.name}",
            )
        )
    return dues


def follow_up_due(enrolments: Sequence[Enrolment]) -> Iterable[Due]:
    """Graduates: the follow-up questionnaire is due one calendar month after graduation,
    until a completed follow-up is on her record (or the window for it has passed).
    One query."""
    oldest = follow_up_window_start()
    graduates = [
        e
        for e in enrolments
        if e.exit_reason == ExitReason.GRADUATED
        and e.exited_on is not None
        and e.exited_on >= oldest
    ]
    if not graduates:
        return []
    done = follow_ups_done([e.pk for e in graduates])
    return [
        Due(
            enrolment_id=e.pk,
            kind=DueKind.FOLLOW_UP,
            due_on=one_month_after(e.exited_on),  # type: ignore[arg-type]  # graduates are those with exited_on set (above)
            label=gettext_noop("Follow-up questionnaire, one month after graduation"),
        )
        for e in graduates
        if e.pk not in done
    ]


def follow_up_window_start(today: datetime.date | None = None) -> datetime.date:
    """Graduations before this day are past asking: the follow-up was missed, and
    reminding a worker of it years later helps nobody."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=31 + FOLLOW_UP_WINDOW_DAYS)


def follow_ups_done(enrolment_ids: Sequence[Any]) -> set[Any]:
    """Enrolments with a completed follow-up questionnaire (the instruments part)."""
    return set(completed_follow_ups(enrolment_ids))


def one_month_after(day: datetime.date) -> datetime.date:
    """The same day next month, or that month's last day (31 January -> 28/29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )

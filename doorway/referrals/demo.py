"""Demo referrals: about half the open enrolments have one or two, made by their own
case manager through the same actions the pages use, moved along realistic steps;
some are left without news for more than two weeks, so the caseload shows them.
A referral shares her information only where her consent for that partner covers it.
Deterministic for a given `rng`."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

from django.utils import timezone

from doorway.enrolments.models import Enrolment
from doorway.referrals.actions import make_referral, missing_consent, partners_for, update_referral
from doorway.referrals.models import SERVICE_KINDS, Referral, ReferralStatus

S = ReferralStatus
# Where a referral tends to go next, and how long after.
PATHS = [
    [S.ACCEPTED, S.FIRST_APPOINTMENT, S.SERVICE_RECEIVED, S.CLOSED],
    [S.ACCEPTED, S.FIRST_APPOINTMENT, S.SERVICE_RECEIVED],
    [S.ACCEPTED, S.FIRST_APPOINTMENT],
    [S.ACCEPTED],
    [],
    [S.DECLINED],
    [S.ACCEPTED, S.NO_SHOW],
]
NOTES = {
    S.MADE: "Called the intake line together; they will call back.",
    S.ACCEPTED: "Partner confirmed; appointment booked.",
    S.FIRST_APPOINTMENT: "She went; went with her to the first one.",
    S.SERVICE_RECEIVED: "Service in place.",
    S.CLOSED: "Nothing more needed from this referral.",
    S.DECLINED: "Partner has no space this month.",
    S.NO_SHOW: "She did not go; will talk it through at the next contact.",
}


def add_referrals(
    rng: random.Random,
    enrolments: Sequence[Enrolment],
    *,
    today: datetime.date | None = None,
    share: float = 0.5,
) -> list[Referral]:
    today = min(today or timezone.localdate(), timezone.localdate())
    kinds = dict(SERVICE_KINDS)
    made = []
    for enrolment in enrolments:
        if not enrolment.is_open or rng.random() > share:
            continue
        partners = partners_for(enrolment)
        if not partners:
            continue
        for _ in range(rng.randint(1, 2)):
            partner = rng.choice(partners)
            offered = [k for k in partner.services if k in kinds] or ["other"]
            span = (today - enrolment.referred_on).days
            if span < 1:
                continue
            made_on = enrolment.referred_on + datetime.timedelta(days=rng.randint(0, span - 1))
            shares = not missing_consent(enrolment.participant, partner, made_on)
            referral = make_referral(
                enrolment,
                by=enrolment.case_manager,
                partner=partner,
                service_kind=rng.choice(offered),
                shares_information=shares,
                made_on=made_on,
                note=NOTES[S.MADE] if rng.random() < 0.5 else "",
            )
            day = made_on
            for status in rng.choice(PATHS):
                day += datetime.timedelta(days=rng.randint(3, 15))
                if day > today:
                    break
                update_referral(
                    referral,
                    by=enrolment.case_manager,
                    status=status,
                    dated_on=day,
                    note=NOTES[status] if rng.random() < 0.6 else "",
                )
            made.append(referral)
    return made

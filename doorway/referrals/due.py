"""The caseload's rule for referrals: an open referral (not closed, declined or no show)
of a woman still in the program is due for news 14 days after its latest dated update.
After she leaves, her long-term supports hold those referrals; nobody is asked to chase
them. One query for any number of enrolments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from doorway.enrolments.due import Due, DueKind
from doorway.referrals.models import Referral


def referrals_without_news(enrolments: Sequence[Any]) -> Iterable[Due]:
    ids = [e.pk for e in enrolments]
    if not ids:
        return []
    referrals = (
        Referral.objects.open()
        .filter(enrolment__in=ids, enrolment__exit_reason="")
        .select_related("partner")
        .order_by("enrolment_id", "made_on", "pk")
    )
    return [
        Due(
            enrolment_id=referral.enrolment_id,
            kind=DueKind.REFERRAL_NEWS,
            due_on=referral.news_due_on(),
            label=f"{referral.get_service_kind_display()} referral to {referral.partner.name}",
            subject_id=referral.pk,
        )
        for referral in referrals
    ]

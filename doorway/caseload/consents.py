"""The caseload's rules for her consents to share (issue 16): a consent to share that
lapses within `LAPSING_DAYS` is put on her case manager's caseload while there is still
time to ask her again, and an open referral that shares her information with a partner
her consents no longer cover (lapsed or withdrawn) is put there too, to be wound up or
her consent asked for again.

Each rule takes a fixed number of queries for any number of enrolments (see
`doorway.caseload.due`). Labels name the partner or the kind of partner, never her.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

from doorway.enrolments.due import Due, DueKind
from doorway.enrolments.models import Enrolment
from doorway.people.models import Consent, ConsentKind
from doorway.programs.models import ServiceKind
from doorway.referrals.models import Referral

# A consent to share shows on the caseload this many days before it lapses.
LAPSING_DAYS = 30


def _open(enrolments: Sequence[Enrolment]) -> list[Enrolment]:
    return [e for e in enrolments if e.is_open]


def _sharing_consents(participant_ids: Iterable[Any]) -> list[Consent]:
    return list(
        Consent.objects.filter(
            participant__in=set(participant_ids), kind=ConsentKind.INFORMATION_SHARING
        )
        .select_related("partner")
        .order_by("given_on", "pk")
    )


def consents_lapsing(enrolments: Sequence[Enrolment]) -> Iterable[Due]:
    """Her consents to share in force today with an end date: due `LAPSING_DAYS` before
    they lapse, on each open enrolment of hers. A consent renewed before it lapses is
    replaced (withdrawn on the new one's day), so it drops off. One query."""
    watched = _open(enrolments)
    if not watched:
        return []
    today = timezone.localdate()
    by_participant: dict[Any, list[Consent]] = {}
    for consent in _sharing_consents(e.participant_id for e in watched):
        if consent.ends_on is not None and consent.in_force_on(today):
            by_participant.setdefault(consent.participant_id, []).append(consent)
    return [
        Due(
            enrolment_id=e.pk,
            kind=DueKind.CONSENT_LAPSING,
            due_on=consent.ends_on - datetime.timedelta(days=LAPSING_DAYS),
            label=f"Consent to share with {_recipient(consent)} lapses {consent.ends_on:%Y-%m-%d}",
            subject_id=consent.pk,
        )
        for e in watched
        for consent in by_participant.get(e.participant_id, [])
        if consent.ends_on is not None
    ]


def sharing_without_consent(enrolments: Sequence[Enrolment]) -> Iterable[Due]:
    """Open referrals of open enrolments that share her information with a partner
    none of her consents to share covers today: due from the day the last one that
    covered it stopped (its lapse or withdrawal), else from the referral's date. Two
    queries."""
    watched = {e.pk: e for e in _open(enrolments)}
    if not watched:
        return []
    referrals = list(
        Referral.objects.open()
        .filter(enrolment__in=list(watched), shares_information=True)
        .select_related("partner", "enrolment")
        .order_by("enrolment_id", "made_on", "pk")
    )
    if not referrals:
        return []
    consents: dict[Any, list[Consent]] = {}
    for consent in _sharing_consents(r.enrolment.participant_id for r in referrals):
        consents.setdefault(consent.participant_id, []).append(consent)
    today = timezone.localdate()
    dues = []
    for referral in referrals:
        partner = referral.partner
        covering = [
            c
            for c in consents.get(referral.enrolment.participant_id, [])
            if c.partner_id == partner.pk
            or (c.partner_id is None and c.partner_kind in (partner.services or []))
        ]
        if any(c.in_force_on(today) and c.scope for c in covering):
            continue
        stopped = [s for c in covering if (s := _stopped_on(c)) is not None and s <= today]
        dues.append(
            Due(
                enrolment_id=referral.enrolment_id,
                kind=DueKind.SHARING_UNCONSENTED,
                due_on=max([referral.made_on, *stopped]),
                label=f"{referral.get_service_kind_display()} referral to {partner.name} "
                "shares her information without consent in force",
                subject_id=referral.pk,
            )
        )
    return dues


def _stopped_on(consent: Consent) -> datetime.date | None:
    days = [d for d in (consent.withdrawn_on, consent.ends_on) if d is not None]
    return min(days) if days else None


def _recipient(consent: Consent) -> str:
    if consent.partner is not None:
        return str(consent.partner.name)
    return f"any {ServiceKind(consent.partner_kind).label.lower()} partner"

"""Referral links: the partner agency answers a referral without an account.

A worker who may write the referral makes a link (`make_link`) and sends it through the
agency's own channel (Doorway sends no e-mail). The link's token is 256 random bits; only
its SHA-256 is stored, and a lookup is by that digest on a unique index, so a guessed
token learns nothing from how long the lookup took. The full link is shown once.

The partner's page (`open_link`) shows only what her consent in force allows: the
referral's own facts (program, kind of service, date, her code to quote), and, on a
referral that shares her information, each `SharingScope` her consent names. Every
opening is audited (PARTNER_OPENED, no actor) and logged as a disclosure of what was
shown. The partner may open it as often as they like; their answer (`answer_link`)
spends it: accept or decline with a reason while the referral is made, confirm she
attended her first appointment or decline while it is accepted. The answer is a dated
`ReferralUpdate` marked `via_link`, recorded in the name of the worker who made the
link, and refreshes the caseload's "no news" item.

A link reveals nothing once it expires, is revoked or spent, once the referral has moved
past what a partner answers, or, on a sharing referral, once her consent to share with
that partner lapses or is withdrawn. HL7's SDOH Clinical Care referral Task (requested →
accepted | rejected → completed) is the model: made, accepted, declined and first
appointment attended here.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.disclosures.log import record_disclosure
from doorway.disclosures.models import Channel
from doorway.enrolments.due import refresh_after_commit
from doorway.enrolments.models import Enrolment
from doorway.people.models import Consent, SharingScope, User
from doorway.referrals import permissions
from doorway.referrals.actions import MAX_NOTE, missing_consent
from doorway.referrals.models import (
    PartnerLink,
    Referral,
    ReferralStatus,
    ReferralUpdate,
    token_digest,
)

# How long a link works unless revoked or answered first.
LINK_DAYS = 14
# 32 bytes: 256 bits of randomness, URL-safe text of 43 characters.
TOKEN_BYTES = 32
# Longer than any token we make: refused before hashing.
MAX_TOKEN = 100

S = ReferralStatus
# What a partner may answer, by the referral's status (a subset of `STEPS`).
ANSWERS: dict[str, tuple[str, ...]] = {
    S.MADE: (S.ACCEPTED, S.DECLINED),
    S.ACCEPTED: (S.FIRST_APPOINTMENT, S.DECLINED),
}
ANSWER_LABELS: dict[str, Any] = {
    S.ACCEPTED: gettext_lazy("We accept the referral"),
    S.DECLINED: gettext_lazy("We decline the referral"),
    S.FIRST_APPOINTMENT: gettext_lazy("She attended her first appointment"),
}
# In the disclosure log: the referral's own facts (program, kind, date, her code).
REFERRAL_FACTS = "referral"

# What a section of the partner's page shows: (heading, text) rows.
Rows = list[tuple[str, str]]
# The sections other apps provide (the plan's goals, her assessments), by scope; wired
# above the apps in `doorway.partner_page`.
Sections = Mapping[str, Callable[[Enrolment], Rows]]


class LinkDead(Exception):
    """The link no longer works (expired, revoked, spent, consent ended, referral moved)."""

    def __init__(self, link: PartnerLink) -> None:
        super().__init__("This link no longer works.")
        self.link = link


def _check_writer(by: User) -> None:
    if not permissions.makes_referrals(by):
        raise PermissionDenied(_("Your role does not make referrals."))


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@transaction.atomic
def make_link(referral: Referral, *, by: User, days: int = LINK_DAYS) -> tuple[PartnerLink, str]:
    """A new link for the referral's partner, and its token (shown once, never stored).
    Refused when the partner has nothing to answer, or when a sharing referral has no
    consent in force today."""
    _check_writer(by)
    if referral.status not in ANSWERS:
        raise ValidationError(
            _("This referral is %(status)s: a partner has nothing to answer.")
            % {"status": referral.get_status_display().lower()}
        )
    if referral.shares_information:
        participant = referral.enrolment.participant
        why = missing_consent(participant, referral.partner, timezone.localdate())
        if why:
            raise ValidationError(why)
    token = new_token()
    now = timezone.now()
    link = PartnerLink.objects.create(
        referral=referral,
        token_digest=token_digest(token),
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    record(
        Action.CREATE,
        actor=by,
        participant=referral.enrolment.participant_id,
        subject=link,
        detail={"referral": str(referral.pk), "expires_at": link.expires_at.isoformat()},
    )
    return link, token


@transaction.atomic
def revoke_link(link: PartnerLink, *, by: User) -> None:
    _check_writer(by)
    current = PartnerLink.objects.select_for_update().get(pk=link.pk)
    if current.revoked_at is not None or current.answered_at is not None:
        raise ValidationError(
            _("This link was already %(state)s.") % {"state": current.get_state_display().lower()}
        )
    current.revoked_at = timezone.now()
    current.revoked_by = by
    current.save(update_fields=["revoked_at", "revoked_by"])
    link.revoked_at, link.revoked_by = current.revoked_at, by
    record(
        Action.CHANGE,
        actor=by,
        participant=link.referral.enrolment.participant_id,
        subject=link,
        detail={"fields": ["revoked_at"]},
    )


def find_link(token: str) -> PartnerLink | None:
    """The link whose token this is, by its digest; None for anything else."""
    if not token or len(token) > MAX_TOKEN:
        return None
    return (
        PartnerLink.objects.select_related(
            "referral__partner",
            "referral__enrolment__participant",
            "referral__enrolment__cycle__program",
            "created_by",
        )
        .filter(token_digest=token_digest(token))
        .first()
    )


def consent_for(link: PartnerLink, today: datetime.date | None = None) -> Consent | None:
    referral = link.referral
    return referral.enrolment.participant.sharing_consent(referral.partner, on=today)


def alive(link: PartnerLink) -> tuple[bool, Consent | None]:
    """Whether the link still shows anything, and the consent it shows it under."""
    referral = link.referral
    if not link.is_active or referral.status not in ANSWERS:
        return False, None
    if not referral.shares_information:
        return True, None
    consent = consent_for(link)
    return consent is not None, consent


@dataclass
class PartnerView:
    """What the partner is shown: the referral's facts and what her consent allows."""

    link: PartnerLink
    referral: Referral
    consent: Consent | None
    shown: list[str]
    sections: list[tuple[str, Rows]] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)


def contact_rows(enrolment: Enrolment) -> Rows:
    participant = enrolment.participant
    rows = [(_("Name"), participant.preferred_name)]
    if participant.phone:
        rows.append((_("Phone"), participant.phone))
    if participant.email:
        rows.append((_("E-mail"), participant.email))
    # Whoever gets her number needs to know how to use it safely.
    if participant.safe_contact:
        rows.append((_("How to reach her safely"), participant.safe_contact))
    return rows


SECTION_HEADINGS = {
    SharingScope.CONTACT_DETAILS: gettext_lazy("Contact details"),
    SharingScope.ASSESSMENT: gettext_lazy("Assessments"),
    SharingScope.PLAN: gettext_lazy("Her plan's goals"),
}


def view_of(link: PartnerLink, consent: Consent | None, sections: Sections) -> PartnerView:
    referral = link.referral
    providers: dict[str, Callable[[Enrolment], Rows]] = {
        SharingScope.CONTACT_DETAILS: contact_rows,
        **sections,
    }
    shown: list[str] = []
    parts: list[tuple[str, Rows]] = []
    if referral.shares_information and consent is not None:
        for scope in SharingScope.values:
            if consent.covers(scope) and scope in providers:
                shown.append(scope)
                parts.append(
                    (
                        str(SECTION_HEADINGS[SharingScope(scope)]),
                        providers[scope](referral.enrolment),
                    )
                )
    return PartnerView(link, referral, consent, shown, parts, answers_for(referral))


def answers_for(referral: Referral) -> list[tuple[str, str]]:
    return [(status, str(ANSWER_LABELS[status])) for status in ANSWERS.get(referral.status, ())]


@transaction.atomic
def open_link(link: PartnerLink, sections: Sections) -> PartnerView:
    """The partner's page for a live link, audited and logged as a disclosure of what it
    shows. LinkDead when it no longer works."""
    ok, consent = alive(link)
    if not ok:
        raise LinkDead(link)
    view = view_of(link, consent, sections)
    now = timezone.now()
    PartnerLink.objects.filter(pk=link.pk).update(
        opened_count=F("opened_count") + 1, last_opened_at=now
    )
    referral = link.referral
    what = [REFERRAL_FACTS, *view.shown]
    record(
        Action.PARTNER_OPENED,
        actor=None,
        participant=referral.enrolment.participant_id,
        subject=link,
        detail={"referral": str(referral.pk), "what": what},
    )
    record_disclosure(
        referral.enrolment.participant_id,
        channel=Channel.PARTNER_LINK,
        what=what,
        partner=referral.partner,
        consent=consent,
        source=referral,
    )
    return view


@transaction.atomic
def answer_link(link: PartnerLink, *, status: str, reason: str = "") -> ReferralUpdate:
    """The partner's answer: a dated step on the referral, and the link spent. LinkDead
    when it no longer works (checked again under lock); ValidationError for an answer
    that may not follow the referral's status, or a decline without its reason."""
    current = (
        PartnerLink.objects.select_for_update()
        .select_related("referral__partner", "referral__enrolment__participant", "created_by")
        .get(pk=link.pk)
    )
    referral: Any = (
        Referral.objects.select_for_update()
        .select_related("partner", "enrolment__participant")
        .get(pk=current.referral_id)
    )
    current.referral = referral
    ok, _consent = alive(current)
    if not ok:
        raise LinkDead(current)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if status not in ANSWERS[referral.status]:
        errors["answer"] = _("Choose one of the answers offered.")
    elif status == S.DECLINED and not reason:
        errors["reason"] = _("Say why you decline, so that her worker can find another way.")
    if len(reason) > MAX_NOTE:
        errors["reason"] = _("Keep it under %(count)s characters.") % {"count": MAX_NOTE}
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    now = timezone.now()
    update = ReferralUpdate.objects.create(
        referral=referral,
        status=status,
        dated_on=today,
        note=reason,
        recorded_by=current.created_by,
        via_link=current,
    )
    referral.status = status
    referral.status_on = today
    referral.save(update_fields=["status", "status_on"])
    current.answered_at = now
    current.save(update_fields=["answered_at"])
    link.answered_at = now
    refresh_after_commit(referral.enrolment_id)
    record(
        Action.PARTNER_OPENED,
        actor=None,
        participant=referral.enrolment.participant_id,
        subject=current,
        detail={
            "referral": str(referral.pk),
            "answered": status,
            "fields": ["status", "note"] if reason else ["status"],
        },
    )
    return update

"""Making referrals and recording their news. Each function checks everything, writes
and audits in one transaction; the audit names fields, never the note.

Information sharing: a referral that shares her information with the partner needs her
information-sharing consent for that partner in force on the referral's date and
today. After she withdraws it, an update that keeps the partner working with her
information (`SHARING_STEPS`: accepted, first appointment, service received) is
refused on such a referral; closing it, or recording that it was declined or that she
did not go, stays possible so the referral can be wound up.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.concurrency import StaleVersion, version_of
from doorway.disclosures.log import record_disclosure
from doorway.disclosures.models import Channel
from doorway.enrolments.due import refresh_after_commit
from doorway.enrolments.models import Enrolment
from doorway.people.models import Participant, User
from doorway.programs.models import PartnerAgency, ServiceKind
from doorway.referrals import permissions
from doorway.referrals.models import (
    FINAL,
    SERVICE_KINDS,
    SHARING_STEPS,
    STEPS,
    Referral,
    ReferralStatus,
    ReferralUpdate,
)

MAX_NOTE = 5000


def partners_for(enrolment: Enrolment, service_kind: str = "") -> list[PartnerAgency]:
    """Active partners of her program's agency; for a kind of service, those offering
    it (a partner that lists no services is offered for every kind)."""
    partners = PartnerAgency.objects.filter(
        agency=enrolment.cycle.program.agency_id, active=True
    ).order_by("name")
    # Filtered here: JSON containment differs between SQLite and PostgreSQL, and an
    # agency has a few dozen partners at most.
    return [p for p in partners if offers(p, service_kind)]


def offers(partner: PartnerAgency, service_kind: str) -> bool:
    return not service_kind or not partner.services or service_kind in partner.services


def missing_consent(participant: Participant, partner: PartnerAgency, on: datetime.date) -> str:
    """Why her information may not go to `partner` for something dated `on`, or "".
    A consent to share that lapsed or was withdrawn, or lets nothing leave (an empty
    scope), does not cover it; what the referral shares is its scope."""
    today = timezone.localdate()
    for day in sorted({on, today}):
        consent = participant.sharing_consent(partner, on=day)
        if consent is None or not consent.scope:
            return _(
                "She has no consent to share her information with %(partner)s in force "
                "on %(day)s. Record her information-sharing consent for %(partner)s "
                "first, or refer her without sharing her information."
            ) % {"partner": partner.name, "day": date_format(day)}
    return ""


def _check_writer(by: User) -> None:
    if not permissions.makes_referrals(by):
        raise PermissionDenied("Your role does not make referrals.")


def _check_date(
    errors: dict[str, str], field: str, day: datetime.date | None, earliest: datetime.date
) -> None:
    if day is None:
        errors[field] = "Give the date."
    elif day > timezone.localdate():
        errors[field] = "It cannot be dated in the future."
    elif day < earliest:
        errors[field] = f"It cannot be dated before {earliest:%Y-%m-%d}."


@transaction.atomic
def make_referral(
    enrolment: Enrolment,
    *,
    by: User,
    partner: PartnerAgency | None,
    service_kind: str,
    shares_information: bool,
    made_on: datetime.date | None,
    note: str = "",
) -> Referral:
    _check_writer(by)
    note = (note or "").strip()
    errors: dict[str, str] = {}
    kinds = dict(SERVICE_KINDS)
    if not enrolment.is_open:
        errors["__all__"] = "She has left the program: reopen her enrolment to refer her."
    if service_kind not in kinds:
        errors["service_kind"] = "Choose the kind of service."
    if partner is None:
        errors["partner"] = "Choose the partner agency."
    elif partner.agency_id != enrolment.cycle.program.agency_id or not partner.active:
        errors["partner"] = "Choose one of the agency's active partners."
    elif service_kind in kinds and not offers(partner, service_kind):
        errors["partner"] = (
            f"{partner.name} does not offer {ServiceKind(service_kind).label.lower()}."
        )
    _check_date(errors, "made_on", made_on, enrolment.referred_on)
    if len(note) > MAX_NOTE:
        errors["note"] = f"Keep the note under {MAX_NOTE} characters."
    if shares_information and partner is not None and made_on is not None and not errors:
        why = missing_consent(enrolment.participant, partner, made_on)
        if why:
            errors["shares_information"] = why
    if errors:
        raise ValidationError(errors)
    assert partner is not None
    assert made_on is not None
    referral = Referral.objects.create(
        enrolment=enrolment,
        partner=partner,
        service_kind=service_kind,
        shares_information=shares_information,
        made_on=made_on,
        made_by=by,
        status=ReferralStatus.MADE,
        status_on=made_on,
    )
    ReferralUpdate.objects.create(
        referral=referral,
        status=ReferralStatus.MADE,
        dated_on=made_on,
        note=note,
        recorded_by=by,
    )
    refresh_after_commit(enrolment)
    fields = ["partner", "service_kind", "shares_information", "made_on"]
    record(
        Action.CREATE,
        actor=by,
        participant=enrolment.participant_id,
        subject=referral,
        detail={"fields": [*fields, "note"] if note else fields},
    )
    if shares_information:
        log_shared(referral, enrolment.participant, by=by)
    return referral


def log_shared(referral: Referral, participant: Participant, *, by: User) -> None:
    """The disclosure log: what this referral lets the partner have is what her
    consent in force today lets leave (its scope), under that consent."""
    consent = participant.sharing_consent(referral.partner)
    record_disclosure(
        participant,
        channel=Channel.REFERRAL,
        what=list(consent.scope) if consent is not None else [],
        by=by,
        partner=referral.partner,
        consent=consent,
        source=referral,
    )


@transaction.atomic
def update_referral(
    referral: Referral,
    *,
    by: User,
    status: str,
    dated_on: datetime.date | None,
    note: str = "",
    expected_version: str | None = None,
) -> ReferralUpdate:
    """Record the referral's next step. Refused, with the reason next to the field,
    when the step may not follow the current one, is dated before it or in the
    future, or shares her information without her consent in force; refused with
    StaleVersion when `expected_version` (the referral as the writer saw it) is given
    and someone recorded news in between."""
    _check_writer(by)
    # Locked, so that two workers recording news at once cannot both move it.
    current: Any = (
        Referral.objects.select_for_update()
        .select_related("partner", "enrolment__participant")
        .get(pk=referral.pk)
    )
    if expected_version is not None and version_of(current) != expected_version:
        raise StaleVersion()
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if current.status in FINAL:
        errors["status"] = (
            f"This referral is {current.get_status_display().lower()}: it takes no more updates."
        )
    elif status not in STEPS[current.status]:
        now = current.get_status_display().lower()
        label = dict(ReferralStatus.choices).get(status)
        errors["status"] = (
            f"A referral that is {now} cannot become {str(label).lower()}."
            if label
            else "Choose what happened."
        )
    _check_date(errors, "dated_on", dated_on, current.status_on)
    if len(note) > MAX_NOTE:
        errors["note"] = f"Keep the note under {MAX_NOTE} characters."
    if (
        not errors
        and current.shares_information
        and status in SHARING_STEPS
        and dated_on is not None
    ):
        why = missing_consent(current.enrolment.participant, current.partner, dated_on)
        if why:
            errors["status"] = why + " You can still close the referral."
    if errors:
        raise ValidationError(errors)
    assert dated_on is not None
    update = ReferralUpdate.objects.create(
        referral=current, status=status, dated_on=dated_on, note=note, recorded_by=by
    )
    current.status = status
    current.status_on = dated_on
    current.save(update_fields=["status", "status_on"])
    refresh_after_commit(current.enrolment_id)
    referral.status, referral.status_on = status, dated_on
    record(
        Action.CHANGE,
        actor=by,
        participant=current.enrolment.participant_id,
        subject=current,
        detail={"fields": ["status", "note"] if note else ["status"], "status": status},
    )
    return update

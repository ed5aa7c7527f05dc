"""Writes about a participant: her identity, safety flags, consents, break-the-glass.

Each function checks, writes and audits in one transaction. Views call these; they
never save participant models themselves.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.concurrency import lock_if_current
from doorway.encryption import blind_index, name_digests, normalise
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may
from doorway.people.models import (
    BreakGlass,
    Consent,
    ConsentKind,
    FlagKind,
    Participant,
    ParticipantQuerySet,
    SafetyFlag,
    SharingScope,
    User,
)
from doorway.programs.models import Agency, PartnerAgency, Program, ServiceKind, add_months

IDENTITY_FIELDS = (
    "legal_name",
    "preferred_name",
    "aliases",
    "date_of_birth",
    "phone",
    "email",
    "safe_contact",
    "preferred_language",
)


@dataclass
class LikelyDuplicates:
    """Records at the same agency whose names match: those the worker may open, and the
    ids of those she may not. The hidden ones are never for her eyes, not even as a
    count: `doorway.caseload.duplicates` sends them to her program manager."""

    visible: list[Participant] = field(default_factory=list)
    hidden: list[uuid.UUID] = field(default_factory=list)

    @property
    def hidden_count(self) -> int:
        return len(self.hidden)

    def __bool__(self) -> bool:
        return bool(self.visible) or bool(self.hidden)


def find_likely_duplicates(
    *,
    agency: Agency,
    reached: ParticipantQuerySet,
    names: list[str],
    date_of_birth: datetime.date | None = None,
    exclude: Participant | None = None,
) -> LikelyDuplicates:
    """A whole name of two words or more that matches one of hers (legal, preferred,
    alias) is a likely duplicate. A single word is not (many women share a first name),
    unless the date of birth matches too. `reached`: the participants the asker reaches
    (`participants_visible_to(user)`); a match outside them is only counted as hidden."""
    same_agency = Participant.objects.filter(agency=agency)
    if exclude is not None:
        same_agency = same_agency.exclude(pk=exclude.pk)
    whole_names = {blind_index(n) for n in names if len(normalise(n).split()) > 1}
    matches = set(
        same_agency.filter(name_digests__digest__in=whole_names).values_list("pk", flat=True)
    )
    if date_of_birth is not None:
        # Few records share a word of her name; their dates are decrypted to compare.
        sharing_a_word = same_agency.filter(name_digests__digest__in=name_digests(*names))
        matches |= {p.pk for p in sharing_a_word.distinct() if p.date_of_birth == date_of_birth}
    visible = list(reached.filter(pk__in=matches))
    shown = {p.pk for p in visible}
    hidden = sorted(pk for pk in matches if pk not in shown)
    return LikelyDuplicates(visible=visible, hidden=hidden)


@transaction.atomic
def update_identity(
    participant: Participant, *, by: User, expected_version: str | None = None, **values: Any
) -> list[str]:
    """Change identifying fields; returns the names of the fields that changed. Given
    `expected_version` (her record's version as the writer saw it), a change over
    someone else's is refused with StaleVersion."""
    if expected_version is not None:
        lock_if_current(participant, expected_version)
    changed = []
    for name, value in values.items():
        if name not in IDENTITY_FIELDS:
            raise ValueError(f"{name} is not an identifying field")
        if getattr(participant, name) != value:
            setattr(participant, name, value)
            changed.append(name)
    if not participant.preferred_name:
        raise ValidationError({"preferred_name": _("A preferred name is needed to address her.")})
    if changed:
        participant.save()
        participant.refresh_name_index()
        # Field names only: the values are what the log must never hold.
        record(
            Action.CHANGE,
            actor=by,
            participant=participant,
            subject=participant,
            detail={"fields": changed},
        )
    return changed


@transaction.atomic
def add_safety_flag(participant: Participant, *, kind: str, note: str, by: User) -> SafetyFlag:
    if kind not in FlagKind.values:
        raise ValidationError({"kind": _("Choose a kind of safety flag.")})
    if kind == FlagKind.OTHER and not note.strip():
        raise ValidationError({"note": _("Say what the flag is about.")})
    flag = SafetyFlag.objects.create(
        participant=participant, kind=kind, note=note.strip(), added_by=by
    )
    record(Action.CREATE, actor=by, participant=participant, subject=flag, detail={"kind": kind})
    return flag


@transaction.atomic
def remove_safety_flag(flag: SafetyFlag, *, by: User) -> None:
    if flag.removed_at is not None:
        return
    flag.removed_at = timezone.now()
    flag.removed_by = by
    flag.save()
    record(
        Action.CHANGE,
        actor=by,
        participant=flag.participant_id,
        subject=flag,
        detail={"removed": True},
    )


# A consent to share lasts at most this long (VAWA/FVPSA: "reasonably time-limited").
MAX_CONSENT_MONTHS = 60
# What an information-sharing consent recorded without a scope lets leave: everything,
# as consents to share recorded before consent had a scope did (migration 0010). Only
# code that predates scopes calls give_consent without one; the form and the API always
# pass her choice, and refuse an empty one.
EVERYTHING = tuple(SharingScope.values)


def default_consent_end(participant: Participant, given_on: datetime.date) -> datetime.date:
    """The day a consent to share given on `given_on` lapses unless she chooses another:
    her open enrolment's program's setting (the shortest, if she is in several; the
    programs' default when she is in none)."""
    months = (
        Program.objects.filter(
            cycles__enrolments__participant=participant, cycles__enrolments__exit_reason=""
        )
        .order_by("consent_months")
        .values_list("consent_months", flat=True)
        .first()
    )
    if months is None:
        months = Program._meta.get_field("consent_months").get_default()
    return add_months(given_on, months)


def _same_recipient(
    participant: Participant, partner: PartnerAgency | None, partner_kind: str
) -> Any:
    consents = Consent.objects.filter(participant=participant, kind=ConsentKind.INFORMATION_SHARING)
    if partner is not None:
        return consents.filter(partner=partner)
    return consents.filter(partner__isnull=True, partner_kind=partner_kind)


def _check_sharing(
    participant: Participant,
    partner: PartnerAgency | None,
    partner_kind: str,
    scope: list[str],
    given_on: datetime.date,
    ends_on: datetime.date | None,
    chosen_end: bool,
) -> None:
    errors: dict[str, Any] = {}
    if partner is None and not partner_kind:
        errors["partner"] = _(
            "Name the partner agency she agrees to share with, or the kind of partner."
        )
    elif partner is not None and partner_kind:
        errors["partner_kind"] = _(
            "Name a partner agency or a kind of partner, not both: she agrees to one."
        )
    elif partner is not None and partner.agency_id != participant.agency_id:
        errors["partner"] = _("That partner does not work with this agency.")
    elif partner_kind and partner_kind not in ServiceKind.values:
        errors["partner_kind"] = _("Choose a kind of partner from the list.")
    if not scope:
        errors["scope"] = _("Tick what she agrees may be shared: at least one.")
    elif any(s not in SharingScope.values for s in scope):
        errors["scope"] = _("Choose what may be shared from the list.")
    if ends_on is not None:
        latest = add_months(given_on, MAX_CONSENT_MONTHS)
        if ends_on <= given_on:
            errors["ends_on"] = _("The consent must end after the day it was given.")
        elif ends_on > latest:
            errors["ends_on"] = _(
                "A consent to share lasts at most five years: choose a day up to %(day)s."
            ) % {"day": date_format(latest)}
        elif chosen_end and ends_on <= timezone.localdate():
            # A day the worker picks must still be ahead; her program's default for a
            # consent recorded late may already have passed, and the record says so.
            errors["ends_on"] = _(
                "That day has passed: the consent would already have lapsed. Ask her again "
                "and record the consent she gives now."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def give_consent(
    participant: Participant,
    *,
    kind: str,
    given_on: datetime.date,
    by: User,
    partner: PartnerAgency | None = None,
    partner_kind: str = "",
    scope: list[str] | tuple[str, ...] | None = None,
    ends_on: datetime.date | None = None,
) -> Consent:
    """Records a consent. A consent to share names a partner agency or a kind of partner
    ("any housing partner"), what may be shared (`SharingScope`; none given: everything,
    see EVERYTHING) and the day it lapses (none given: her program's default). A new
    consent to share with the same partner replaces the one in force: her latest word
    holds, wider or narrower."""
    if kind not in ConsentKind.values:
        raise ValidationError({"kind": _("Choose what she consents to.")})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("Consent cannot be dated in the future.")})
    replaced: list[Consent] = []
    if kind == ConsentKind.INFORMATION_SHARING:
        scope = list(dict.fromkeys(EVERYTHING if scope is None else scope))
        chosen_end = ends_on is not None
        if ends_on is None:
            ends_on = default_consent_end(participant, given_on)
        _check_sharing(participant, partner, partner_kind, scope, given_on, ends_on, chosen_end)
        for current in _same_recipient(participant, partner, partner_kind).in_force(given_on):
            if set(current.scope or []) == set(scope) and (
                current.ends_on is None or current.ends_on >= ends_on
            ):
                raise ValidationError(_("She already has this consent in force."))
            if current.given_on > given_on:
                raise ValidationError(
                    {
                        "given_on": _(
                            "A later consent to share with this partner is on her record: "
                            "record a withdrawal there first."
                        )
                    }
                )
            replaced.append(current)
    else:
        if partner is not None or partner_kind:
            raise ValidationError(
                {"partner": _("Only information sharing names a partner agency.")}
            )
        if scope:
            raise ValidationError({"scope": _("Only information sharing has a scope.")})
        if ends_on is not None:
            raise ValidationError({"ends_on": _("Only a consent to share has an end date.")})
        scope = []
        if participant.has_consent(kind, on=given_on):
            raise ValidationError(_("She already has this consent in force."))
    for current in replaced:
        withdraw_consent(
            current,
            on=given_on,
            by=by,
            note=_("Replaced by the consent given on %(day)s.") % {"day": date_format(given_on)},
        )
    consent = Consent.objects.create(
        participant=participant,
        kind=kind,
        partner=partner,
        partner_kind=partner_kind,
        scope=list(scope),
        given_on=given_on,
        ends_on=ends_on,
        recorded_by=by,
    )
    detail: dict[str, Any] = {"kind": kind}
    if kind == ConsentKind.INFORMATION_SHARING:
        detail.update(scope=list(scope), ends_on=ends_on.isoformat() if ends_on else None)
    record(Action.CREATE, actor=by, participant=participant, subject=consent, detail=detail)
    return consent


@transaction.atomic
def withdraw_consent(consent: Consent, *, on: datetime.date, by: User, note: str = "") -> Consent:
    """From `on`, what the consent allowed stops: phase entries that need service
    consent, counting in the evaluation, sharing with that partner."""
    # Locked and read again: two people withdrawing at once cannot both write.
    if lock_if_current(consent, None).withdrawn_on is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    if on < consent.given_on:
        raise ValidationError({"on": _("A withdrawal cannot be dated before the consent.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("A withdrawal cannot be dated in the future.")})
    consent.withdrawn_on = on
    consent.withdrawn_by = by
    consent.withdrawal_note = note.strip()
    consent.save()
    record(
        Action.CHANGE,
        actor=by,
        participant=consent.participant_id,
        subject=consent,
        detail={"kind": consent.kind, "withdrawn": True},
    )
    return consent


@transaction.atomic
def break_the_glass(participant: Participant, *, by: User, reason: str) -> BreakGlass:
    """An administrator opens one record for a short time, with a reason on the log."""
    if not may(by, Can.BREAK_GLASS):
        raise ValidationError(_("Only an administrator can break the glass."))
    if len(reason.strip()) < 15:
        raise ValidationError({"reason": _("Give a real reason (at least a sentence).")})
    if not may(by, Can.BREAK_GLASS, participant):
        raise ValidationError(_("That record belongs to another agency."))
    grant = BreakGlass.objects.create(
        user=by,
        participant=participant,
        reason=reason.strip(),
        expires_at=timezone.now() + datetime.timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    record(
        Action.BREAK_GLASS, actor=by, participant=participant, subject=grant, reason=reason.strip()
    )
    return grant


__all__ = [
    "add_safety_flag",
    "break_the_glass",
    "default_consent_end",
    "find_likely_duplicates",
    "give_consent",
    "remove_safety_flag",
    "update_identity",
    "withdraw_consent",
]

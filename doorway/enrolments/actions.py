"""Registering a participant and enrolling her in a program cycle."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.enrolments.due import refresh_after_commit
from doorway.enrolments.models import Enrolment, EventKind, JourneyEvent, ReferralSource
from doorway.people.models import Participant, User, new_participant_code
from doorway.people.roles import Role
from doorway.programs.models import Cycle


@transaction.atomic
def enrol(
    participant: Participant,
    *,
    cycle: Cycle,
    referral_source: str,
    referred_on: datetime.date,
    case_manager: User,
    by: User,
    peer_mentor: User | None = None,
) -> Enrolment:
    """Enrol her in a cycle; she starts in the program's first phase."""
    errors: dict[str, str] = {}
    if referral_source not in ReferralSource.values:
        errors["referral_source"] = _("Choose where the referral came from.")
    if referred_on > timezone.localdate():
        errors["referred_on"] = _("The referral date cannot be in the future.")
    if case_manager.role != Role.CASE_MANAGER or not case_manager.is_active:
        errors["case_manager"] = _("Choose an active case manager.")
    if peer_mentor is not None and (
        peer_mentor.role != Role.PEER_MENTOR or not peer_mentor.is_active
    ):
        errors["peer_mentor"] = _("Choose an active peer mentor.")
    if cycle.program.agency_id != participant.agency_id:
        errors["cycle"] = _("That cycle belongs to another agency's program.")
    first_phase = cycle.program.active_phases().first()
    if first_phase is None:
        errors["cycle"] = _("That program has no phases yet; its program manager must add them.")
    if (
        Enrolment.objects.filter(participant=participant, cycle__program=cycle.program)
        .open()
        .exists()
    ):
        errors["cycle"] = _("She already has an open enrolment in this program.")
    if errors:
        raise ValidationError(errors)
    assert first_phase is not None
    enrolment = Enrolment.objects.create(
        participant=participant,
        cycle=cycle,
        referral_source=referral_source,
        referred_on=referred_on,
        case_manager=case_manager,
        peer_mentor=peer_mentor,
        current_phase=first_phase,
        phase_started_on=referred_on,
    )
    JourneyEvent.objects.create(
        enrolment=enrolment,
        kind=EventKind.REFERRED,
        to_phase=first_phase,
        to_phase_name=first_phase.name,
        effective_on=referred_on,
        recorded_by=by,
        reason=str(ReferralSource(referral_source).label),
    )
    refresh_after_commit(enrolment)
    record(Action.CREATE, actor=by, participant=participant, subject=enrolment)
    return enrolment


@transaction.atomic
def register_participant(
    *,
    cycle: Cycle,
    by: User,
    preferred_name: str,
    referral_source: str,
    referred_on: datetime.date,
    case_manager: User,
    peer_mentor: User | None = None,
    legal_name: str = "",
    aliases: str = "",
    date_of_birth: datetime.date | None = None,
    phone: str = "",
    email: str = "",
    safe_contact: str = "",
) -> Enrolment:
    """A new participant and her first enrolment, together or not at all."""
    if not preferred_name.strip():
        raise ValidationError({"preferred_name": _("A preferred name is needed to address her.")})
    program = cycle.program
    participant = Participant(
        agency=program.agency,
        registered_by=by,
        legal_name=legal_name.strip(),
        preferred_name=preferred_name.strip(),
        aliases=aliases.strip(),
        date_of_birth=date_of_birth,
        phone=phone.strip(),
        email=email.strip(),
        safe_contact=safe_contact.strip(),
        # Instructions taken at registration are hers as of today.
        safe_contact_confirmed_on=timezone.localdate() if safe_contact.strip() else None,
    )
    for _attempt in range(5):
        participant.code = new_participant_code(program.code_prefix)
        try:
            with transaction.atomic():
                participant.save()
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - 31^6 codes per prefix
        raise RuntimeError("Could not issue a unique participant code.")
    participant.refresh_name_index()
    record(Action.CREATE, actor=by, participant=participant, subject=participant)
    return enrol(
        participant,
        cycle=cycle,
        referral_source=referral_source,
        referred_on=referred_on,
        case_manager=case_manager,
        peer_mentor=peer_mentor,
        by=by,
    )

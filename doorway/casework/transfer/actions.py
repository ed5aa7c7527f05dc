"""Phase 3's end: the transfer-of-care meeting with her long-term supports, and the
closing note written at graduation. Both are clinical: the care team reads them, a peer
mentor never does, an administrator only through break-the-glass and never writes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.casework.models import ClosingNote, TransferOfCare
from doorway.concurrency import check_current
from doorway.enrolments.dates import check_date
from doorway.enrolments.due import refresh_after_commit
from doorway.enrolments.models import Enrolment, ExitReason
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may
from doorway.people.models import User
from doorway.programs.models import PartnerAgency

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone

# --- who may do what, and when -----------------------------------------------------------


def reads_transfer(user: Someone) -> bool:
    # An administrator reaches an enrolment only while her glass is broken.
    return may(user, Can.READ_REFERRALS)


def writes_transfer(user: Someone) -> bool:
    return may(user, Can.MAKE_REFERRALS)


def in_closing_stretch(enrolment: Enrolment) -> bool:
    """In her program's last phase, or graduated from it: when care is handed over."""
    if enrolment.exit_reason == ExitReason.GRADUATED:
        return True
    if enrolment.exit_reason:
        return False
    last = enrolment.program.active_phases().values_list("pk", flat=True).last()
    return last == enrolment.current_phase_id


NOT_YET = gettext_lazy("Care is transferred in her program's last phase or after graduation.")


def partners_for(enrolment: Enrolment) -> Any:
    return PartnerAgency.objects.filter(agency=enrolment.program.agency_id, active=True)


def _check_writer(enrolment: Enrolment, by: User) -> None:
    if not writes_transfer(by):
        raise PermissionDenied("Your role does not record transfers of care.")
    if not Enrolment.objects.visible_to(by).filter(pk=enrolment.pk).exists():
        raise PermissionDenied("She is not in your reach.")


# --- the transfer-of-care meeting --------------------------------------------------------


@transaction.atomic
def record_transfer(
    enrolment: Enrolment,
    *,
    by: User,
    met_on: datetime.date | None,
    supports: str = "",
    partners: Iterable[PartnerAgency] = (),
    agreed: str,
) -> TransferOfCare:
    _check_writer(enrolment, by)
    chosen = list(partners)
    supports = "\n".join(line.strip() for line in supports.splitlines() if line.strip())
    agreed = agreed.strip()
    errors: dict[str, str] = {}
    if not in_closing_stretch(enrolment):
        errors[NON_FIELD_ERRORS] = str(NOT_YET)
    check_date(errors, "met_on", met_on, enrolment)
    allowed = set(partners_for(enrolment).values_list("pk", flat=True))
    if any(p.pk not in allowed for p in chosen):
        errors["partners"] = _("Choose active partner agencies of her program's agency.")
    elif met_on is not None:
        # A partner at the table hears about her: only with her consent to share with it.
        refused = [p.name for p in chosen if not enrolment.participant.may_share_with(p, on=met_on)]
        if refused:
            errors["partners"] = _(
                "She has not consented to share information with %(partners)s on that date."
            ) % {"partners": ", ".join(refused)}
    if not supports and not chosen:
        errors["supports"] = _(
            "Name at least one long-term support or partner agency who took part."
        )
    if not agreed:
        errors["agreed"] = _("Write what was agreed.")
    if errors:
        raise ValidationError(errors)
    assert met_on is not None
    transfer = TransferOfCare.objects.create(
        enrolment=enrolment, met_on=met_on, supports=supports, agreed=agreed, recorded_by=by
    )
    transfer.partners.set(chosen)
    record(
        Action.CREATE,
        actor=by,
        participant=enrolment.participant_id,
        subject=transfer,
        detail={
            "fields": ["met_on", "agreed", *(["supports"] if supports else [])],
            "partners": [str(p.pk) for p in chosen],
        },
    )
    return transfer


# --- the closing note --------------------------------------------------------------------


@transaction.atomic
def write_closing_note(
    enrolment: Enrolment,
    *,
    by: User,
    written_on: datetime.date | None,
    text: str,
    expected_version: str | None = None,
) -> ClosingNote:
    """Write her closing note, or change it; earlier versions stay in its history.
    Given `expected_version` (the note as the writer saw it, `concurrency.NEW` for
    none), a save over someone else's is refused with StaleVersion."""
    _check_writer(enrolment, by)
    check_current(
        ClosingNote.objects.select_for_update().filter(enrolment=enrolment).first(),
        expected_version,
    )
    text = text.strip()
    errors: dict[str, str] = {}
    if not in_closing_stretch(enrolment):
        errors[NON_FIELD_ERRORS] = _(
            "The closing note is written in her last phase or at graduation."
        )
    check_date(errors, "written_on", written_on, enrolment)
    if not text:
        errors["text"] = _("Write the closing note.")
    if errors:
        raise ValidationError(errors)
    assert written_on is not None
    note = ClosingNote.objects.select_for_update().filter(enrolment=enrolment).first()
    if note is None:
        note = ClosingNote(enrolment=enrolment, written_on=written_on, written_by=by, text=text)
        action, changed = Action.CREATE, ["written_on", "text"]
    else:
        changed = [
            name
            for name, value in (("written_on", written_on), ("text", text))
            if getattr(note, name) != value
        ]
        if not changed:
            return note
        note.written_on, note.text = written_on, text
        note.written_by = by
        note.edited_at = timezone.now()
        action = Action.CHANGE
    note._history_user = by  # type: ignore[attr-defined]  # simple-history reads the change's author from this attribute
    note.save()
    refresh_after_commit(enrolment)
    record(
        action,
        actor=by,
        participant=enrolment.participant_id,
        subject=note,
        detail={"fields": changed},
    )
    return note

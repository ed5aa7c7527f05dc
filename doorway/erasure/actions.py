"""Proposing, approving and declining an erasure; the daily pass's retention suggestions.

Two people, always: someone proposes (a case manager or program manager who reaches
her record, on her request or taking up a retention suggestion), and a program manager
of her program who is not the proposer approves. Only then is her record erased
(`eraser.erase_participant`) and the tombstone written to the audit log. Nothing here
writes her name, the reason or any value of hers into the audit log or a log line.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from doorway.audit.log import record
from doorway.audit.models import Action as AuditAction
from doorway.enrolments.models import Enrolment
from doorway.erasure import eraser
from doorway.erasure.models import ErasureKind, ErasureRequest, ErasureStatus
from doorway.people.capabilities import Action, may
from doorway.people.models import Participant, User
from doorway.programs.models import Program, add_months

# A declined retention suggestion is not made again for this long.
SUGGEST_AGAIN_AFTER = datetime.timedelta(days=365)


class ErasureRefused(PermissionDenied):
    """The person may not propose or decide this erasure; nothing was changed."""


def _latest_program(participant: Participant) -> Program | None:
    enrolment = (
        Enrolment.objects.filter(participant=participant)
        .select_related("cycle__program")
        .order_by("-referred_on", "-created_at")
        .first()
    )
    return enrolment.cycle.program if enrolment is not None else None


def _check_erasable(participant: Participant) -> None:
    if Enrolment.objects.filter(participant=participant).open().exists():
        raise ValidationError(
            _(
                "She is still enrolled in a program: record that she left it before "
                "proposing to erase her record."
            )
        )


@transaction.atomic
def propose_erasure(
    participant: Participant, *, by: User, reason: str, kind: str = ErasureKind.HER_REQUEST
) -> ErasureRequest:
    """Propose erasing her record (the caller has checked that `by` reaches her). A
    waiting retention suggestion for her is taken up; nothing is erased yet."""
    reason = reason.strip()
    if kind not in ErasureKind.values:
        raise ValidationError({"kind": _("Choose why her record would be erased.")})
    if len(reason) < 10:
        raise ValidationError({"reason": _("Say why (at least a sentence).")})
    program = _latest_program(participant)
    if program is None or not may(by, Action.PROPOSE_ERASURE, program):
        raise ErasureRefused(_("You may not propose erasing this record."))
    _check_erasable(participant)
    existing = (
        ErasureRequest.objects.select_for_update()
        .open()
        .filter(participant_ref=str(participant.pk))
        .first()
    )
    if existing is not None and existing.status == ErasureStatus.PENDING:
        raise ValidationError(_("An erasure of this record is already waiting for approval."))
    change = existing or ErasureRequest(
        participant=participant, participant_ref=str(participant.pk), code=participant.code
    )
    change.program = program
    change.kind = kind if existing is None else existing.kind
    change.status = ErasureStatus.PENDING
    change.reason = reason
    change.proposed_by = by
    change.proposed_at = timezone.now()
    change.save()
    record(
        AuditAction.CHANGE,
        actor=by,
        participant=participant,
        subject=change,
        detail={"erasure": "proposed", "kind": change.kind},
    )
    return change


def _check_may_decide(change: ErasureRequest, by: User) -> None:
    if not may(by, Action.APPROVE_ERASURE, change.program):
        raise ErasureRefused(_("Erasures are approved by a program manager of her program."))


def approve_erasure(change: ErasureRequest, *, by: User) -> eraser.Erased:
    """A second person approves: her record is erased now, and the audit log gets its
    tombstone. The database files are compacted once the transaction has committed."""
    with transaction.atomic():
        change = ErasureRequest.objects.select_for_update().get(pk=change.pk)
        if change.status != ErasureStatus.PENDING:
            raise ValidationError(_("This erasure is not waiting for approval."))
        if by.pk == change.proposed_by_id:
            raise ErasureRefused(
                _("A second person must approve the erasure you proposed: not you.")
            )
        _check_may_decide(change, by)
        participant = Participant.objects.select_for_update().filter(pk=change.participant_ref)
        her = participant.first()
        if her is None:
            raise ValidationError(_("This record is no longer there."))
        _check_erasable(her)
        erased = eraser.erase_participant(her)
        # The request keeps her code and record id only: the reason may speak of her.
        ErasureRequest.objects.filter(pk=change.pk).update(
            status=ErasureStatus.ERASED,
            reason="",
            decided_by=by,
            decided_at=timezone.now(),
            kept_for_evaluation=erased.kept_for_evaluation,
        )
        # The tombstone: what was done and by whom, never a value of hers.
        record(
            AuditAction.ERASE,
            actor=by,
            participant=change.participant_ref,
            subject=change,
            detail={
                "kind": change.kind,
                "proposed_by": str(change.proposed_by_id or ""),
                "kept_for_evaluation": erased.kept_for_evaluation,
                "rows_cleared": sum(erased.cleared.values()),
                "rows_deleted": sum(erased.deleted.values()),
            },
        )
        tables = set(erased.tables)
        transaction.on_commit(lambda: eraser.compact(tables))
    return erased


@transaction.atomic
def decline_erasure(change: ErasureRequest, *, by: User) -> None:
    """A program manager of her program declines it, or the proposer withdraws it."""
    change = ErasureRequest.objects.select_for_update().get(pk=change.pk)
    if not change.is_open:
        raise ValidationError(_("This erasure was already decided."))
    withdrawn = change.proposed_by_id is not None and by.pk == change.proposed_by_id
    if not withdrawn:
        _check_may_decide(change, by)
    change.status = ErasureStatus.DECLINED
    change.decided_by = None if withdrawn else by
    change.decided_at = timezone.now()
    change.reason = ""
    change.save()
    record(
        AuditAction.CHANGE,
        actor=by,
        participant=change.participant_ref,
        subject=change,
        detail={"erasure": "withdrawn" if withdrawn else "declined"},
    )


def past_retention(today: datetime.date | None = None) -> list[tuple[Participant, Program]]:
    """Women whose records are past their programs' retention period: no open
    enrolment, and her last contact (or the day she left, if later) older than the
    longest retention period of her programs. With the program that decides."""
    today = today or timezone.localdate()
    open_enrolment = Enrolment.objects.filter(participant=OuterRef("pk"), exit_reason="")
    candidates = (
        Participant.objects.filter(enrolments__isnull=False)
        .exclude(Exists(open_enrolment))
        .annotate(
            last_contact=Max("enrolments__contacts__happened_on"),
            last_exit=Max("enrolments__exited_on"),
            longest=Max("enrolments__cycle__program__retention_years"),
        )
        .distinct()
    )
    due: list[tuple[Participant, Program]] = []
    for participant in candidates:
        # The annotations above, which the model does not declare.
        last_contact, last_exit, longest = (
            getattr(participant, name) for name in ("last_contact", "last_exit", "longest")
        )
        days = [d for d in (last_contact, last_exit) if d]
        if not days or max(days) > add_months(today, -12 * longest):
            continue
        if _already_asked(participant):
            continue
        program = _latest_program(participant)
        if program is not None:
            due.append((participant, program))
    return due


def _already_asked(participant: Participant) -> bool:
    return (
        ErasureRequest.objects.filter(participant_ref=str(participant.pk))
        .filter(
            Q(status__in=[ErasureStatus.SUGGESTED, ErasureStatus.PENDING])
            | Q(
                status=ErasureStatus.DECLINED,
                decided_at__gte=timezone.now() - SUGGEST_AGAIN_AFTER,
            )
        )
        .exists()
    )


def suggest_past_retention(today: datetime.date | None = None) -> int:
    """The daily pass: a suggestion for each record past its retention period, shown
    to her program's managers. Nothing is erased until two people agree."""
    made = 0
    for participant, program in past_retention(today):
        with transaction.atomic():
            change = ErasureRequest.objects.create(
                participant=participant,
                participant_ref=str(participant.pk),
                code=participant.code,
                program=program,
                kind=ErasureKind.RETENTION,
                status=ErasureStatus.SUGGESTED,
            )
            record(
                AuditAction.CREATE,
                participant=participant,
                subject=change,
                detail={"erasure": "suggested", "kind": ErasureKind.RETENTION},
            )
        made += 1
    return made

"""The caseload's writes: a snooze, and lifting it. Each checks, writes and records its
audit entry in one transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.caseload.models import SNOOZE_MAX_DAYS, DueItem, Snooze
from doorway.enrolments.models import Enrolment
from doorway.people.models import User


@transaction.atomic
def snooze(
    enrolment: Enrolment,
    *,
    kind: str,
    subject_id: Any,
    until: datetime.date,
    reason: str,
    by: User,
) -> Snooze:
    """Put one of her due items aside until `until` (at most `SNOOZE_MAX_DAYS` ahead),
    with the reason her case team reads. A snooze already in force on the same item is
    lifted by the new one. The caller has reached her record and checked the role."""
    today = timezone.localdate()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, for her case team.")})
    if not today < until <= today + datetime.timedelta(days=SNOOZE_MAX_DAYS):
        raise ValidationError(
            {
                "until": ngettext(
                    "Choose a day after today, at most %(days)s day ahead.",
                    "Choose a day after today, at most %(days)s days ahead.",
                    SNOOZE_MAX_DAYS,
                )
                % {"days": SNOOZE_MAX_DAYS}
            }
        )
    if not DueItem.objects.filter(enrolment=enrolment, kind=kind, subject_id=subject_id).exists():
        raise ValidationError(_("That is no longer due, so there is nothing to snooze."))
    earlier = list(
        Snooze.objects.in_force(today)
        .select_for_update()
        .filter(enrolment=enrolment, kind=kind, subject_id=subject_id)
    )
    for old in earlier:
        _lift(old, by=by)
    snoozed = Snooze.objects.create(
        enrolment=enrolment,
        kind=kind,
        subject_id=subject_id,
        until=until,
        reason=reason,
        snoozed_by=by,
    )
    record(
        Action.CREATE,
        actor=by,
        participant=enrolment.participant_id,
        subject=snoozed,
        # The reason may speak of her: it goes in the entry's encrypted reason only.
        reason=reason,
        detail={
            "kind": kind,
            "until": until.isoformat(),
            "replaces": [str(old.pk) for old in earlier],
        },
    )
    return snoozed


@transaction.atomic
def lift_snooze(snoozed: Snooze, *, by: User) -> Snooze:
    """The item is back on the caseload in its own group. Lifting one already lifted or
    run out changes nothing."""
    locked = Snooze.objects.select_for_update().get(pk=snoozed.pk)
    if locked.lifted_at is not None or locked.until < timezone.localdate():
        return locked
    _lift(locked, by=by)
    return locked


def _lift(snoozed: Snooze, *, by: User) -> None:
    snoozed.lifted_at = timezone.now()
    snoozed.lifted_by = by
    snoozed.save(update_fields=["lifted_at", "lifted_by"])
    record(
        Action.CHANGE,
        actor=by,
        participant=snoozed.enrolment.participant_id,
        subject=snoozed,
        detail={"fields": ["lifted_at"], "kind": snoozed.kind},
    )

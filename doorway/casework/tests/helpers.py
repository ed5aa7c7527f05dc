"""Small builders for the outreach, supervision and transfer tests."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from doorway.casework.models import OutreachContact
from doorway.casework.outreach import actions as outreach
from doorway.enrolments.models import Enrolment, ExitReason


def an_outreach(world: Any, *, by: Any = None, **overrides: Any) -> OutreachContact:
    values: dict[str, Any] = {
        "happened_on": timezone.localdate(),
        "kind": "street",
        "place": "East-end stroll",
        "women_reached": 2,
        "referrals_in": 1,
        "materials": ["food"],
        **overrides,
    }
    return outreach.record_outreach(world.program, by=by or world.alice, **values)


def in_last_phase(enrolment: Enrolment) -> Enrolment:
    last = enrolment.cycle.program.active_phases().last()
    Enrolment.objects.filter(pk=enrolment.pk).update(current_phase=last)
    enrolment.refresh_from_db()
    return enrolment


def graduated(enrolment: Enrolment, on: datetime.date | None = None) -> Enrolment:
    in_last_phase(enrolment)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        exit_reason=ExitReason.GRADUATED, exited_on=on or timezone.localdate()
    )
    enrolment.refresh_from_db()
    return enrolment

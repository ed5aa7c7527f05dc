"""Starting sessions and taking attendance. Each function checks, writes and audits in
one transaction. An attendance mark is a change about her, audited under her record."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.dropins import permissions
from doorway.dropins.models import MAX_ANONYMOUS, Attendance, GroupSession, SessionKind
from doorway.enrolments.models import Enrolment
from doorway.people.models import User
from doorway.programs.models import Program

MAX_TOPIC = 200


def _check_taker(by: User, program: Program) -> None:
    if not permissions.takes_attendance(by):
        raise PermissionDenied(_("Your role does not take attendance."))
    if not permissions.programs_for(by).filter(pk=program.pk).exists():
        raise PermissionDenied(_("You do not work in this program."))


@transaction.atomic
def start_session(
    program: Program,
    *,
    by: User,
    kind: str,
    held_on: datetime.date | None,
    topic: str = "",
    facilitators: Iterable[User] = (),
) -> GroupSession:
    _check_taker(by, program)
    people = list(facilitators)
    topic = topic.strip()
    errors: dict[str, str] = {}
    if kind not in SessionKind.values:
        errors["kind"] = _("Choose a weekly drop-in or a psycho-education group.")
    if held_on is None:
        errors["held_on"] = _("Give the date of the session.")
    elif held_on > timezone.localdate():
        errors["held_on"] = _("A session cannot be dated in the future.")
    if len(topic) > MAX_TOPIC:
        errors["topic"] = _("Keep the topic under %(max)d characters.") % {"max": MAX_TOPIC}
    elif kind == SessionKind.GROUP and not topic:
        errors["topic"] = _("Name the group's topic.")
    staff = set(
        User.objects.filter(
            pk__in=[p.pk for p in people], programs=program, role__in=permissions.TAKERS
        ).values_list("pk", flat=True)
    )
    if any(p.pk not in staff for p in people):
        errors["facilitators"] = _("Choose facilitators among the program's staff.")
    if errors:
        raise ValidationError(errors)
    assert held_on is not None
    session = GroupSession.objects.create(
        program=program, kind=kind, held_on=held_on, topic=topic, created_by=by
    )
    session.facilitators.set(people)
    record(
        Action.CREATE,
        actor=by,
        subject=session,
        detail={"fields": ["kind", "held_on", "topic", "facilitators"]},
    )
    return session


def is_expected(session: GroupSession, enrolment: Enrolment) -> bool:
    return enrolment.is_open and enrolment.cycle.program_id == session.program_id


@transaction.atomic
def mark_attendance(
    session: GroupSession, enrolment: Enrolment, *, by: User, attended: bool = True
) -> Attendance | None:
    """Mark her present (or take the mark back). Marking twice changes nothing, so a
    double tap is harmless. She must be someone `by` may mark at this session
    (`permissions.markable`: someone she reaches, or a woman of the session's program);
    the audit entry says which."""
    _check_taker(by, session.program)
    reached = permissions.reaches(by, enrolment)
    if not reached and not permissions.markable(by, session).filter(pk=enrolment.pk).exists():
        raise PermissionDenied(_("She is not someone you work with."))
    if enrolment.cycle.program.agency_id != session.program.agency_id:
        raise ValidationError({"enrolment": _("She is not in a program of this agency.")})
    if not attended:
        removed, _kinds = Attendance.objects.filter(session=session, enrolment=enrolment).delete()
        if removed:
            record(
                Action.CHANGE,
                actor=by,
                participant=enrolment.participant_id,
                subject=session,
                detail={
                    "attendance": "removed",
                    "enrolment": str(enrolment.pk),
                    "reached": reached,
                },
            )
        return None
    attendance, created = Attendance.objects.get_or_create(
        session=session,
        enrolment=enrolment,
        defaults={"recorded_by": by, "walk_in": not is_expected(session, enrolment)},
    )
    if created:
        record(
            Action.CREATE,
            actor=by,
            participant=enrolment.participant_id,
            subject=attendance,
            # `reached`: False when she was marked as a woman of the session's program
            # whose record the worker does not reach (another team's).
            detail={"session": str(session.pk), "walk_in": attendance.walk_in, "reached": reached},
        )
    return attendance


@transaction.atomic
def count_anonymous(session: GroupSession, *, by: User, change: int) -> GroupSession:
    """Add (or take back) walk-ins who have no record: a count, never a name."""
    _check_taker(by, session.program)
    if change not in {1, -1}:
        raise ValidationError({"change": _("Add or take back one at a time.")})
    GroupSession.objects.filter(pk=session.pk).update(
        anonymous_walk_ins=Greatest(Value(0), F("anonymous_walk_ins") + change)
    )
    GroupSession.objects.filter(pk=session.pk, anonymous_walk_ins__gt=MAX_ANONYMOUS).update(
        anonymous_walk_ins=MAX_ANONYMOUS
    )
    session.refresh_from_db(fields=["anonymous_walk_ins"])
    record(
        Action.CHANGE,
        actor=by,
        subject=session,
        detail={"fields": ["anonymous_walk_ins"], "change": change},
    )
    return session

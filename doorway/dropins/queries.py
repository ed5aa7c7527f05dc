"""What the drop-in pages show, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils.translation import ngettext

from doorway.dropins import permissions
from doorway.dropins.models import Attendance, GroupSession, SessionKind
from doorway.enrolments.models import Enrolment
from doorway.people.models import Participant, User


def expected_filter(session: GroupSession) -> Q:
    """Who is expected at a session: women with an open enrolment in its program."""
    return Q(exit_reason="", cycle__program=session.program_id)


def expected_for(session: GroupSession, user: User) -> list[Enrolment]:
    """The expected women she reaches, by preferred name (decrypted, so sorted here)."""
    rows = list(
        Enrolment.objects.visible_to(user)
        .filter(expected_filter(session))
        .select_related("participant")
    )
    return sorted(rows, key=lambda e: ((e.participant.preferred_name or "").casefold(), e.pk))


@dataclass
class Register:
    """A session's attendance as one person may see it."""

    expected: list[Enrolment]
    # Women she reaches who came though not expected.
    walk_ins: list[Enrolment]
    present: set[Any]
    # Attendees she does not reach: counted, never named.
    others: int
    anonymous: int
    total: int = field(init=False)

    def __post_init__(self) -> None:
        self.total = len(self.present) + self.others + self.anonymous

    def shown(self) -> list[Enrolment]:
        return [*self.expected, *self.walk_ins]


def register_for(session: GroupSession, user: User, *, with_expected: bool) -> Register:
    attended = dict(session.attendances.values_list("enrolment_id", "walk_in"))
    expected = expected_for(session, user) if with_expected else []
    expected_ids = {e.pk for e in expected}
    reached = list(
        Enrolment.objects.visible_to(user)
        .filter(pk__in=list(attended))
        .select_related("participant")
    )
    reached.sort(key=lambda e: ((e.participant.preferred_name or "").casefold(), e.pk))
    present = {e.pk for e in reached}
    return Register(
        expected=expected,
        walk_ins=[e for e in reached if e.pk not in expected_ids],
        present=present,
        others=len(attended) - len(present),
        anonymous=session.anonymous_walk_ins,
    )


@dataclass
class WalkIn:
    """A woman found by the walk-in search. One she reaches is shown by preferred name;
    one she may only mark (`permissions.markable`: another team's woman of the session's
    program) by the first word of it and her code, the least that tells two apart."""

    enrolment: Enrolment
    reached: bool

    @property
    def name(self) -> str:
        name = self.enrolment.participant.preferred_name or ""
        return name if self.reached else (name.split() or [""])[0]


def walk_in_candidates(session: GroupSession, user: User, term: str) -> list[WalkIn]:
    """Women she may mark at this session (`permissions.markable`) and does not already
    see on its register, whose preferred name begins as typed (or whose code does). Her
    enrolments in any of the agency's programs (a graduate coming back counts)."""
    markable = permissions.markable(user, session)
    within = Participant.objects.filter(Exists(markable.filter(participant=OuterRef("pk"))))
    found = within.search(term, preferred_only=True).values("pk")
    on_register = Enrolment.objects.visible_to(user).filter(expected_filter(session))
    rows = list(
        markable.filter(participant__in=found)
        .exclude(pk__in=on_register.values("pk"))
        .select_related("participant", "cycle__program")
        .order_by("-referred_on", "pk")
    )
    reached = set(
        Enrolment.objects.visible_to(user)
        .filter(pk__in=[e.pk for e in rows])
        .values_list("pk", flat=True)
    )
    return [WalkIn(e, e.pk in reached) for e in rows]


def sessions_for_list(programs: QuerySet[Any]) -> QuerySet[GroupSession]:
    return (
        GroupSession.objects.in_programs(programs)
        .select_related("program")
        .prefetch_related("facilitators")
        .annotate(attended=Count("attendances"))
        .newest_first()
    )


@dataclass
class AttendanceSummary:
    kind: str
    label: str
    count: int
    latest: Any

    @property
    def counted(self) -> str:
        """The kind's name as it follows her count ("3 weekly drop-ins")."""
        if self.kind == SessionKind.GROUP:
            return ngettext("psycho-education group", "psycho-education groups", self.count)
        return ngettext("weekly drop-in", "weekly drop-ins", self.count)


def attendance_summary(enrolment: Enrolment, latest: int = 5) -> dict[str, Any]:
    """Her drop-ins and groups: counts by kind and her latest dates, in two queries."""
    by_kind: dict[str, dict[str, Any]] = {
        row["session__kind"]: dict(row)
        for row in Attendance.objects.filter(enrolment=enrolment)
        .values("session__kind")
        .annotate(count=Count("pk"), latest=Max("session__held_on"))
    }
    summary = [
        AttendanceSummary(
            kind.value,
            str(kind.label),
            by_kind.get(kind.value, {}).get("count", 0),
            by_kind.get(kind.value, {}).get("latest"),
        )
        for kind in SessionKind
    ]
    recent = list(
        GroupSession.objects.filter(attendances__enrolment=enrolment).order_by(
            "-held_on", "-created_at"
        )[:latest]
    )
    return {"summary": summary, "recent": recent, "total": sum(s.count for s in summary)}

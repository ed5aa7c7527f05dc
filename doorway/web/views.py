"""The home page: what each role needs first, and nothing it may not see.

Each role's page runs a fixed number of queries, however many participants, staff and
audit entries there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from doorway.audit.log import record
from doorway.audit.models import Action, ChainHead
from doorway.enrolments.caseload_size import caseload_size
from doorway.enrolments.models import Eligibility, Enrolment
from doorway.people.models import BreakGlass, Participant, User
from doorway.people.roles import Role
from doorway.programs.models import Cycle, Phase
from doorway.web.http import AuthenticatedHttpRequest


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    builders: dict[str, Callable[[AuthenticatedHttpRequest, User], dict[str, Any]]] = {
        Role.CASE_MANAGER: _case_manager,
        Role.PEER_MENTOR: _peer_mentor,
        Role.PROGRAM_MANAGER: _program_manager,
        Role.EVALUATOR: _evaluator,
        Role.ADMINISTRATOR: _administrator,
    }
    build = builders.get(user.role)
    context: dict[str, Any] = {"role": user.role, "Role": Role}
    if build is not None:
        context.update(build(request, user))
    return render(request, "web/home.html", context)


def _case_manager(request: AuthenticatedHttpRequest, user: User) -> dict[str, Any]:
    today = timezone.localdate()
    enrolments = list(
        Enrolment.objects.visible_to(user)
        .open()
        .filter(case_manager=user)
        .select_related("participant", "current_phase", "cycle__program")
        .order_by("participant__code")
    )
    rows = []
    for enrolment in enrolments:
        days = enrolment.days_in_phase(today)
        expected = enrolment.current_phase.expected_days
        rows.append(
            {
                "enrolment": enrolment,
                "participant": enrolment.participant,
                "phase": enrolment.current_phase,
                "days": days,
                "expected": expected,
                "overdue": expected is not None and days > expected,
            }
        )
    # A list of her participants' names is a read of their records.
    record(Action.LIST, request=request, detail={"page": "home", "count": len(rows)})
    # The count her caseload page shows too, from the same query.
    size = caseload_size(Enrolment.objects.visible_to(user).filter(case_manager=user))
    return {"caseload": rows, "caseload_size": size}


def _peer_mentor(request: AuthenticatedHttpRequest, user: User) -> dict[str, Any]:
    """Her mentees' open enrolments, each a link straight to the form where she records
    a peer contact with that woman: one page, not five."""
    # Only her code and the name she goes by: a peer mentor sees nothing else.
    mentees = list(
        Enrolment.objects.visible_to(user)
        .open()
        .filter(peer_mentor=user)
        .select_related("participant")
        .only("id", "participant__id", "participant__code", "participant__preferred_name")
        .order_by("participant__code")
    )
    record(
        Action.LIST,
        request=request,
        detail={"page": "home", "count": len(mentees)},
    )
    return {"mentees": mentees}


def _program_manager(request: AuthenticatedHttpRequest, user: User) -> dict[str, Any]:
    programs = list(user.programs.select_related("agency").order_by("name"))
    ids = [p.pk for p in programs]
    phases = _phases_of(ids)
    open_enrolments = Enrolment.objects.visible_to(user).open().filter(cycle__program__in=ids)
    per_phase = _count_by(
        open_enrolments.values_list("cycle__program", "current_phase").annotate(n=Count("id"))
    )
    caseloads = _count_by(
        open_enrolments.values_list("cycle__program", "case_manager").annotate(n=Count("id"))
    )
    workers = (
        User.objects.filter(programs__in=ids, role=Role.CASE_MANAGER, is_active=True)
        .values_list("programs", "id", "first_name", "last_name", "username")
        .order_by("first_name", "last_name", "username")
    )
    staff: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for program_id, worker_id, first, last, username in workers:
        staff[program_id].append({"id": worker_id, "name": f"{first} {last}".strip() or username})
    cycles = defaultdict(list)
    for cycle in (
        Cycle.objects.filter(program__in=ids)
        .annotate(
            enrolled=Count("enrolments"),
            open=Count("enrolments", filter=Q(enrolments__exit_reason="")),
            # Counted as enrolled here, left out of the evaluation's cohort.
            not_eligible=Count(
                "enrolments", filter=Q(enrolments__eligibility=Eligibility.NOT_ELIGIBLE)
            ),
        )
        .order_by("starts_on")
    ):
        cycles[cycle.program_id].append(cycle)
    summaries = []
    for program in programs:
        counts = per_phase.get(program.pk, {})
        loads = caseloads.get(program.pk, {})
        summaries.append(
            {
                "program": program,
                "phases": [(phase, counts.get(phase.pk, 0)) for phase in phases[program.pk]],
                "open": sum(counts.values()),
                "caseloads": [
                    {
                        **worker,
                        "count": loads.get(worker["id"], 0),
                        "over": loads.get(worker["id"], 0) > program.caseload_limit,
                    }
                    for worker in staff[program.pk]
                ],
                "cycles": cycles[program.pk],
                "enrolled": sum(c.enrolled for c in cycles[program.pk]),
                "not_eligible": sum(c.not_eligible for c in cycles[program.pk]),
            }
        )
    return {"programs": summaries}


def _evaluator(request: AuthenticatedHttpRequest, user: User) -> dict[str, Any]:
    """Counts only, and only of women who consent to the evaluation today: an evaluator
    learns nothing, not even a number, about anyone who did not consent."""
    programs = list(user.programs.order_by("name"))
    ids = [p.pk for p in programs]
    phases = _phases_of(ids)
    enrolments = Enrolment.objects.filter(
        cycle__program__in=ids, participant__in=Participant.objects.consented_to("evaluation")
    )
    per_phase: dict[Any, dict[Any, int]] = defaultdict(dict)
    for program_id, phase_id, n in (
        enrolments.open()
        .values_list("cycle__program", "current_phase")
        .annotate(n=Count("id"))
        .order_by()
    ):
        per_phase[program_id][phase_id] = n
    totals = dict(
        enrolments.values_list("cycle__program")
        .annotate(n=Count("participant", distinct=True))
        .order_by()
    )
    summaries = [
        {
            "program": program,
            "phases": [
                (phase, per_phase[program.pk].get(phase.pk, 0)) for phase in phases[program.pk]
            ],
            "consented": totals.get(program.pk, 0),
        }
        for program in programs
    ]
    return {"programs": summaries}


def _administrator(request: AuthenticatedHttpRequest, user: User) -> dict[str, Any]:
    head = ChainHead.objects.filter(pk=1).first()
    grants = BreakGlass.objects.filter(user=user, expires_at__gt=timezone.now()).count()
    return {
        "audit_entries": head.entries if head else 0,
        "active_grants": grants,
        "staff_count": User.objects.filter(is_active=True).count(),
    }


def _phases_of(program_ids: list[Any]) -> dict[Any, list[Phase]]:
    phases: dict[Any, list[Phase]] = defaultdict(list)
    for phase in Phase.objects.filter(program__in=program_ids, retired=False).order_by("order"):
        phases[phase.program_id].append(phase)
    return phases


def _count_by(rows: Any) -> dict[Any, dict[Any, int]]:
    counts: dict[Any, dict[Any, int]] = defaultdict(dict)
    for outer, inner, n in rows.order_by():
        counts[outer][inner] = n
    return counts

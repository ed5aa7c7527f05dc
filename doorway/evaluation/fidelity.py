"""CTI fidelity, computed from the records item by item, for each participant and for
the program. Each item says who falls short and why, by participant code only.

Who counts: the participant items cover the women in the cohort whose consent to the
evaluation is in force and who reached CTI phase 1 (the first phase with an expected
length; see `doorway.evaluation.process`). Caseload counts every open enrolment of the
program, because a worker carries everyone; workers are shown as "Case manager 1, 2..."
(ordered by account), never by name, since the report leaves the program.

An item is, for one woman, "pass", "fail", or "not yet" when her journey has not got far
enough to judge it (she is still in phase 1, say). A failed item can never become a pass
later (a late judgment does not hide a shortfall), except where noted.

Everything is read in a fixed number of queries, whatever the number of participants.
"""

from __future__ import annotations

import calendar
import datetime
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any
from uuid import UUID

from django.db.models import Count
from django.utils import timezone

from doorway.enrolments.models import Enrolment, ExitReason
from doorway.evaluation.cohort import Cohort, evaluation_enrolments
from doorway.evaluation.process import (
    Journey,
    PhaseInfo,
    Stay,
    cti_phases,
    journeys,
    percent,
)

PASS, FAIL, NOT_YET = "pass", "fail", "not yet"

# The tolerances, stated once so the report can print them.
MAX_MONTHS = 9
FIRST_MONTH_DAYS = 30
FIRST_MONTH_CONTACTS = 2
COMMUNITY_MEETINGS = 3
SUPPORT_MEETINGS = 2
# Phases of about equal length: her longest completed phase at most this many times
# her shortest.
EQUAL_LENGTH_RATIO = 2.0
# A phase plan is expected once she has been this many days in the phase.
PLAN_GRACE_DAYS = 14
FOCUS_AREAS_MIN, FOCUS_AREAS_MAX = 1, 3
COMMUNITY_KINDS = ("outreach_visit", "accompaniment")
SUPPORTS_KIND = "accompaniment"
SUPPORTS_INGREDIENT = "connecting-with-community-supports"
# Leaving by death is not a discharge.
NOT_A_DISCHARGE = (ExitReason.GRADUATED, ExitReason.DECEASED)

ITEMS: list[dict[str, str]] = [
    {
        "item": "nine_months",
        "label": "No more than nine months from the start of phase 1",
        "rule": f"She graduated or left within {MAX_MONTHS} calendar months of entering "
        "phase 1; an open enrolment past that fails.",
    },
    {
        "item": "equal_phases",
        "label": "Phases of about equal length",
        "rule": f"Her longest completed CTI phase is at most {EQUAL_LENGTH_RATIO:g} times her "
        "shortest; judged once she has completed two phases.",
    },
    {
        "item": "focus_areas",
        "label": "One to three focus areas per phase",
        "rule": f"Each CTI phase she has been in for {PLAN_GRACE_DAYS} days or more has a "
        f"phase plan naming {FOCUS_AREAS_MIN} to {FOCUS_AREAS_MAX} focus areas.",
    },
    {
        "item": "first_month_contacts",
        "label": "At least two contacts in the first month",
        "rule": f"At least {FIRST_MONTH_CONTACTS} recorded contacts in the first "
        f"{FIRST_MONTH_DAYS} days of phase 1.",
    },
    {
        "item": "community_meetings",
        "label": "Phase 1: at least three meetings with her in the community",
        "rule": f"At least {COMMUNITY_MEETINGS} contacts in phase 1 that were outreach or "
        "home visits, or accompaniments.",
    },
    {
        "item": "support_meetings",
        "label": "Phase 1: at least two meetings with her providers or informal supports",
        "rule": f"At least {SUPPORT_MEETINGS} contacts in phase 1 that were accompaniments "
        "or were tagged with the key ingredient “connecting with community supports”. "
        "(An accompaniment counts here and as a meeting in the community.)",
    },
    {
        "item": "decreasing_contacts",
        "label": "Fewer contacts in each later phase",
        "rule": "Each completed CTI phase has fewer recorded contacts than the one "
        "before; judged once she has completed two phases.",
    },
    {
        "item": "early_linking",
        "label": "Early linking to community supports",
        "rule": "At least one referral to a partner agency made during phase 1.",
    },
    {
        "item": "monitoring_phase2",
        "label": "Monitoring of supports during phase 2",
        "rule": "At least one referral update (news from a partner) dated during phase 2.",
    },
    {
        "item": "no_early_discharge",
        "label": "No discharge before the end",
        "rule": "She did not leave before the last phase for a reason other than "
        "graduation (death is not counted as a discharge).",
    },
]
PROGRAM_ITEMS: list[dict[str, str]] = [
    {
        "item": "caseload",
        "label": "Caseload per worker within the program's limit",
        "rule": "Open enrolments of the program per case manager today, against the "
        "program's caseload limit.",
    },
    {
        "item": "weekly_supervision",
        "label": "Weekly team supervision",
        "rule": "Every week (Monday to Sunday) from the first entry into phase 1 to today "
        "or the last exit, each team of the women's case managers recorded a supervision "
        "session.",
    },
]


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass(frozen=True)
class Records:
    """What the participant items read, loaded once for everyone."""

    phases: list[PhaseInfo]
    today: datetime.date
    # (date, kind, tagged "connecting with community supports") of her contacts.
    contacts: dict[UUID, list[tuple[datetime.date, str, bool]]]
    plans: dict[tuple[UUID, UUID], int]  # (enrolment, phase) -> focus areas named
    referrals_made: dict[UUID, list[datetime.date]]
    referral_news: dict[UUID, list[datetime.date]]


Verdict = tuple[str, str]  # (pass / fail / not yet, why)


def _in(stay: Stay, day: datetime.date) -> bool:
    return stay.start <= day < stay.end or (stay.ongoing and day <= stay.end)


def _nine_months(j: Journey, r: Records) -> Verdict:
    first = j.stays[r.phases[0].id]
    limit = add_months(first.start, MAX_MONTHS)
    if j.exit_reason and j.exited_on is not None:
        if j.exited_on <= limit:
            return PASS, ""
        return FAIL, f"left {(j.exited_on - first.start).days} days after phase 1 began"
    if r.today > limit:
        return FAIL, f"still enrolled {(r.today - first.start).days} days after phase 1 began"
    return NOT_YET, ""


def _completed(j: Journey, r: Records) -> list[tuple[PhaseInfo, Stay]]:
    return [(p, j.stays[p.id]) for p in r.phases if p.id in j.stays and not j.stays[p.id].ongoing]


def _equal_phases(j: Journey, r: Records) -> Verdict:
    done = _completed(j, r)
    if len(done) < 2:
        return NOT_YET, ""
    days = [max(s.days, 1) for _, s in done]
    if max(days) <= EQUAL_LENGTH_RATIO * min(days):
        return PASS, ""
    lengths = ", ".join(f"{p.name} {s.days} days" for p, s in done)
    return FAIL, f"phases of unequal length ({lengths})"


def _focus_areas(j: Journey, r: Records) -> Verdict:
    problems = []
    judged = 0
    for phase in r.phases:
        stay = j.stays.get(phase.id)
        if stay is None:
            continue
        named = r.plans.get((j.id, phase.id))
        if named is None:
            if (stay.end - stay.start).days >= PLAN_GRACE_DAYS:
                judged += 1
                problems.append(f"no phase plan for {phase.name}")
            continue
        judged += 1
        if not FOCUS_AREAS_MIN <= named <= FOCUS_AREAS_MAX:
            problems.append(f"{named} focus areas in {phase.name}")
    if problems:
        return FAIL, "; ".join(problems)
    return (PASS, "") if judged else (NOT_YET, "")


def _first_month(j: Journey, r: Records) -> Verdict:
    start = j.stays[r.phases[0].id].start
    end = start + datetime.timedelta(days=FIRST_MONTH_DAYS)
    n = sum(1 for day, _, _ in r.contacts.get(j.id, []) if start <= day < end)
    if n >= FIRST_MONTH_CONTACTS:
        return PASS, ""
    if r.today < end:
        return NOT_YET, ""
    return FAIL, f"{n} contact{'s' if n != 1 else ''} in the first month"


def _community(j: Journey, r: Records) -> Verdict:
    stay = j.stays[r.phases[0].id]
    n = sum(
        1 for day, kind, _ in r.contacts.get(j.id, []) if _in(stay, day) and kind in COMMUNITY_KINDS
    )
    if n >= COMMUNITY_MEETINGS:
        return PASS, ""
    if stay.ongoing:
        return NOT_YET, ""
    return FAIL, f"{n} meeting{'s' if n != 1 else ''} in the community in phase 1"


def _supports(j: Journey, r: Records) -> Verdict:
    stay = j.stays[r.phases[0].id]
    n = sum(
        1
        for day, kind, tagged in r.contacts.get(j.id, [])
        if _in(stay, day) and (kind == SUPPORTS_KIND or tagged)
    )
    if n >= SUPPORT_MEETINGS:
        return PASS, ""
    if stay.ongoing:
        return NOT_YET, ""
    return FAIL, f"{n} meeting{'s' if n != 1 else ''} with her supports in phase 1"


def _decreasing(j: Journey, r: Records) -> Verdict:
    done = _completed(j, r)
    if len(done) < 2:
        return NOT_YET, ""
    counts = [(p, sum(1 for day, _, _ in r.contacts.get(j.id, []) if _in(s, day))) for p, s in done]
    rises = [
        f"{later.name} {m} after {earlier.name} {n}"
        for (earlier, n), (later, m) in pairwise(counts)
        if m >= n
    ]
    if rises:
        return FAIL, "contacts did not fall: " + "; ".join(rises)
    return PASS, ""


def _early_linking(j: Journey, r: Records) -> Verdict:
    stay = j.stays[r.phases[0].id]
    if any(_in(stay, day) for day in r.referrals_made.get(j.id, [])):
        return PASS, ""
    if stay.ongoing:
        return NOT_YET, ""
    return FAIL, "no referral made in phase 1"


def _monitoring(j: Journey, r: Records) -> Verdict:
    if len(r.phases) < 2 or r.phases[1].id not in j.stays:
        return NOT_YET, ""
    stay = j.stays[r.phases[1].id]
    if any(_in(stay, day) for day in r.referral_news.get(j.id, [])):
        return PASS, ""
    if stay.ongoing:
        return NOT_YET, ""
    return FAIL, "no news of her referrals recorded in phase 2"


def _no_early_discharge(j: Journey, r: Records) -> Verdict:
    if not j.exit_reason:
        return NOT_YET, ""
    if j.exit_reason in NOT_A_DISCHARGE or j.exited_from == r.phases[-1].id:
        return PASS, ""
    where = next((p.name for p in r.phases if p.id == j.exited_from), "before phase 1")
    return FAIL, f"left in {where}: {ExitReason(j.exit_reason).label.lower()}"


CHECKS: dict[str, Callable[[Journey, Records], Verdict]] = {
    "nine_months": _nine_months,
    "equal_phases": _equal_phases,
    "focus_areas": _focus_areas,
    "first_month_contacts": _first_month,
    "community_meetings": _community,
    "support_meetings": _supports,
    "decreasing_contacts": _decreasing,
    "early_linking": _early_linking,
    "monitoring_phase2": _monitoring,
    "no_early_discharge": _no_early_discharge,
}


def _load(enrolments: Any, phases: list[PhaseInfo], today: datetime.date) -> Records:
    from doorway.casework.models import Contact
    from doorway.plans.models import PhasePlan
    from doorway.referrals.models import Referral, ReferralUpdate

    ids = enrolments.values("pk")
    tagged_ids = set(
        Contact.ingredients.through.objects.filter(
            contact__enrolment__in=ids, keyingredient__slug=SUPPORTS_INGREDIENT
        ).values_list("contact_id", flat=True)
    )
    contacts: dict[UUID, list[tuple[datetime.date, str, bool]]] = defaultdict(list)
    for enrolment_id, day, kind, contact_id in (
        Contact.objects.filter(enrolment__in=ids)
        .order_by("happened_on")
        .values_list("enrolment_id", "happened_on", "kind", "id")
    ):
        contacts[enrolment_id].append((day, kind, contact_id in tagged_ids))
    plans = {
        (e, p): n
        for e, p, n in PhasePlan.objects.filter(enrolment__in=ids)
        .annotate(n=Count("focus_areas"))
        .values_list("enrolment_id", "phase_id", "n")
    }
    made: dict[UUID, list[datetime.date]] = defaultdict(list)
    for enrolment_id, day in Referral.objects.filter(enrolment__in=ids).values_list(
        "enrolment_id", "made_on"
    ):
        made[enrolment_id].append(day)
    news: dict[UUID, list[datetime.date]] = defaultdict(list)
    for enrolment_id, day in ReferralUpdate.objects.filter(referral__enrolment__in=ids).values_list(
        "referral__enrolment_id", "dated_on"
    ):
        news[enrolment_id].append(day)
    return Records(phases, today, dict(contacts), plans, dict(made), dict(news))


def _caseload(cohort: Cohort) -> dict[str, Any]:
    limit = cohort.program.caseload_limit
    loads = (
        Enrolment.objects.open()
        .filter(cycle__program=cohort.program)
        .values("case_manager_id")
        .annotate(n=Count("id"))
        .order_by("case_manager__username")
        .values_list("n", flat=True)
    )
    workers = [
        {"worker": f"Case manager {index}", "caseload": n, "within_limit": n <= limit}
        for index, n in enumerate(loads, start=1)
    ]
    over = [w for w in workers if not w["within_limit"]]
    return {
        **PROGRAM_ITEMS[0],
        "limit": limit,
        "workers": workers,
        "assessed": len(workers),
        "passed": len(workers) - len(over),
        "percent": percent(len(workers) - len(over), len(workers)),
        "falling_short": [
            {"worker": w["worker"], "why": f"{w['caseload']} open, over {limit}"} for w in over
        ],
    }


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _supervision(people: list[Journey], r: Records) -> dict[str, Any]:
    from doorway.casework.models import SupervisionSession
    from doorway.people.models import Team

    starts = [j.stays[r.phases[0].id].start for j in people]
    workers = {j.case_manager_id for j in people}
    teams = list(
        Team.objects.filter(members__in=workers)
        .distinct()
        .order_by("name")
        .values_list("id", flat=True)
    )
    base = {**PROGRAM_ITEMS[1], "teams": []}
    if not starts or not teams:
        return {**base, "assessed": 0, "passed": 0, "percent": None, "falling_short": []}
    first = _monday(min(starts))
    ends = [j.exited_on if j.exit_reason and j.exited_on else r.today for j in people]
    # Only whole weeks: the week in progress is not judged yet.
    last = _monday(min(max(ends), r.today))
    weeks = [first + datetime.timedelta(weeks=n) for n in range((last - first).days // 7)]
    held: dict[UUID, set[datetime.date]] = defaultdict(set)
    for team_id, day in SupervisionSession.objects.filter(
        team__in=teams, held_on__gte=first
    ).values_list("team_id", "held_on"):
        held[team_id].add(_monday(day))
    rows, short = [], []
    for index, team_id in enumerate(teams, start=1):
        missed = [w for w in weeks if w not in held[team_id]]
        label = f"Team {index}"
        rows.append(
            {
                "team": label,
                "weeks": len(weeks),
                "weeks_with_supervision": len(weeks) - len(missed),
                "percent": percent(len(weeks) - len(missed), len(weeks)),
            }
        )
        if missed:
            dates = ", ".join(w.isoformat() for w in missed[:5])
            more = f" and {len(missed) - 5} more" if len(missed) > 5 else ""
            short.append({"team": label, "why": f"no supervision in the weeks of {dates}{more}"})
    return {
        **base,
        "teams": rows,
        "assessed": len(rows),
        "passed": len(rows) - len(short),
        "percent": percent(len(rows) - len(short), len(rows)),
        "falling_short": short,
    }


def fidelity_report(cohort: Cohort, today: datetime.date | None = None) -> dict[str, Any]:
    """CTI fidelity for the cohort: each item for the program (assessed, passed, who
    falls short and why) and each participant's verdicts, by code. JSON-serialisable."""
    today = today or timezone.localdate()
    phases = cti_phases(cohort)
    enrolments = evaluation_enrolments(cohort)
    found = journeys(enrolments, today)
    people = [j for j in found.values() if phases and phases[0].id in j.stays]
    records = _load(enrolments, phases, today) if phases else None
    items = []
    verdicts: dict[str, dict[str, str]] = {j.code: {} for j in people}
    for item in ITEMS:
        judged = passed = 0
        short = []
        for j in people:
            assert records is not None
            verdict, why = CHECKS[item["item"]](j, records)
            verdicts[j.code][item["item"]] = verdict
            if verdict == NOT_YET:
                continue
            judged += 1
            if verdict == PASS:
                passed += 1
            else:
                short.append({"code": j.code, "why": why})
        items.append(
            {
                **item,
                "assessed": judged,
                "passed": passed,
                "percent": percent(passed, judged),
                "not_yet": len(people) - judged,
                "falling_short": short,
            }
        )
    program_items = [_caseload(cohort)]
    program_items.append(
        _supervision(people, records)
        if records is not None
        else {**PROGRAM_ITEMS[1], "assessed": 0, "passed": 0, "percent": None, "falling_short": []}
    )
    participants = []
    for j in people:
        tally = Counter(verdicts[j.code].values())
        participants.append(
            {
                "code": j.code,
                "items": verdicts[j.code],
                "met": tally[PASS],
                "assessed": tally[PASS] + tally[FAIL],
                "percent": percent(tally[PASS], tally[PASS] + tally[FAIL]),
            }
        )
    return {
        "population": "Women in the cohort with consent to the evaluation in force who "
        "reached CTI phase 1.",
        "participants_assessed": len(people),
        "items": items,
        "program_items": program_items,
        "participants": participants,
    }


__all__ = ["ITEMS", "PROGRAM_ITEMS", "add_months", "fidelity_report"]

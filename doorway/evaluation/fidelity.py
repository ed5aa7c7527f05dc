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

Everything is read in a fixed number of queries, whatever the number of participants:
the database counts her contacts, referrals and plans per stay in a phase (`_load`), so
what comes back is a row per stay, never a row per contact.
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

from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_stubs_ext import StrOrPromise

from doorway.enrolments.models import Enrolment, ExitReason, JourneyEvent
from doorway.evaluation.cohort import Cohort, evaluation_enrolments
from doorway.evaluation.process import (
    ENTRIES,
    Journey,
    PhaseInfo,
    Stay,
    as_date,
    as_uuid,
    cti_phases,
    db_value,
    enrolment_journeys,
    percent,
    placeholders,
    plus_days,
    select,
    stays_sql,
)
from doorway.programs.models import KeyIngredient, Phase, Program

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

ITEMS: list[dict[str, StrOrPromise]] = [
    {
        "item": "nine_months",
        "label": gettext_lazy("No more than nine months from the start of phase 1"),
        "rule": format_lazy(
            gettext_lazy(
                "She graduated or left within {months} calendar months of entering "
                "phase 1; an open enrolment past that fails."
            ),
            months=MAX_MONTHS,
        ),
    },
    {
        "item": "equal_phases",
        "label": gettext_lazy("Phases of about equal length"),
        "rule": format_lazy(
            gettext_lazy(
                "Her longest completed CTI phase is at most {ratio} times her "
                "shortest; judged once she has completed two phases."
            ),
            ratio=f"{EQUAL_LENGTH_RATIO:g}",
        ),
    },
    {
        "item": "focus_areas",
        "label": gettext_lazy("One to three focus areas per phase"),
        "rule": format_lazy(
            gettext_lazy(
                "Each CTI phase she has been in for {days} days or more has a "
                "phase plan naming {fewest} to {most} focus areas."
            ),
            days=PLAN_GRACE_DAYS,
            fewest=FOCUS_AREAS_MIN,
            most=FOCUS_AREAS_MAX,
        ),
    },
    {
        "item": "first_month_contacts",
        "label": gettext_lazy("At least two contacts in the first month"),
        "rule": format_lazy(
            gettext_lazy(
                "At least {contacts} recorded contacts in the first {days} days of phase 1."
            ),
            contacts=FIRST_MONTH_CONTACTS,
            days=FIRST_MONTH_DAYS,
        ),
    },
    {
        "item": "community_meetings",
        "label": gettext_lazy("Phase 1: at least three meetings with her in the community"),
        "rule": format_lazy(
            gettext_lazy(
                "At least {meetings} contacts in phase 1 that were outreach or "
                "home visits, or accompaniments."
            ),
            meetings=COMMUNITY_MEETINGS,
        ),
    },
    {
        "item": "support_meetings",
        "label": gettext_lazy(
            "Phase 1: at least two meetings with her providers or informal supports"
        ),
        "rule": format_lazy(
            gettext_lazy(
                "At least {meetings} contacts in phase 1 that were accompaniments "
                "or were tagged with the key ingredient “connecting with community supports”. "
                "(An accompaniment counts here and as a meeting in the community.)"
            ),
            meetings=SUPPORT_MEETINGS,
        ),
    },
    {
        "item": "decreasing_contacts",
        "label": gettext_lazy("Fewer contacts in each later phase"),
        "rule": gettext_lazy(
            "Each completed CTI phase has fewer recorded contacts than the one "
            "before; judged once she has completed two phases."
        ),
    },
    {
        "item": "early_linking",
        "label": gettext_lazy("Early linking to community supports"),
        "rule": gettext_lazy("At least one referral to a partner agency made during phase 1."),
    },
    {
        "item": "monitoring_phase2",
        "label": gettext_lazy("Monitoring of supports during phase 2"),
        "rule": gettext_lazy(
            "At least one referral update (news from a partner) dated during phase 2."
        ),
    },
    {
        "item": "no_early_discharge",
        "label": gettext_lazy("No discharge before the end"),
        "rule": gettext_lazy(
            "She did not leave before the last phase for a reason other than "
            "graduation (death is not counted as a discharge)."
        ),
    },
]
PROGRAM_ITEMS: list[dict[str, StrOrPromise]] = [
    {
        "item": "caseload",
        "label": gettext_lazy("Caseload per worker within the program's limit"),
        "rule": gettext_lazy(
            "Open enrolments of the program per case manager today, against the "
            "program's caseload limit."
        ),
    },
    {
        "item": "weekly_supervision",
        "label": gettext_lazy("Weekly team supervision"),
        "rule": gettext_lazy(
            "Every week (Monday to Sunday) from the first entry into phase 1 to today "
            "or the last exit, each team of the women's case managers recorded a supervision "
            "session."
        ),
    },
]


def _words(item: dict[str, StrOrPromise]) -> dict[str, str]:
    """An item with its label and rule in the reader's language."""
    return {key: str(value) for key, value in item.items()}


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass(frozen=True)
class InStay:
    """What was recorded during one of her stays in a CTI phase, counted by the
    database: "during" is `_in` (`in_stay_sql`)."""

    contacts: int
    community: int  # contacts of COMMUNITY_KINDS
    supports: int  # accompaniments, or contacts tagged SUPPORTS_INGREDIENT
    first_month: int  # contacts in the FIRST_MONTH_DAYS from the stay's start
    referrals_made: int
    referral_news: int  # referral updates dated in the stay, the "made" step left out
    focus_areas: int | None  # named in her phase plan for the phase; None: no plan


@dataclass(frozen=True)
class Records:
    """What the participant items read, loaded once for everyone."""

    phases: list[PhaseInfo]
    today: datetime.date
    in_stay: dict[tuple[UUID, UUID], InStay]  # (enrolment, phase) -> her records there


Verdict = tuple[str, str]  # (pass / fail / not yet, why)


def _in(stay: Stay, day: datetime.date) -> bool:
    """A day during the stay; `in_stay_sql` says it in SQL. (An ongoing stay holds every day
    up to today, those before its start included.)"""
    return stay.start <= day < stay.end or (stay.ongoing and day <= stay.end)


def in_stay_sql(day: str) -> str:
    """`_in` in SQL, for the date column `day` and the stay `st`."""
    return f"(({day} >= st.start AND {day} < st.finish) OR (st.ongoing = 1 AND {day} <= st.finish))"


def _nine_months(j: Journey, r: Records) -> Verdict:
    first = j.stays[r.phases[0].id]
    limit = add_months(first.start, MAX_MONTHS)
    if j.exit_reason and j.exited_on is not None:
        if j.exited_on <= limit:
            return PASS, ""
        return FAIL, _("left %(days)s days after phase 1 began") % {
            "days": (j.exited_on - first.start).days
        }
    if r.today > limit:
        return FAIL, _("still enrolled %(days)s days after phase 1 began") % {
            "days": (r.today - first.start).days
        }
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
    lengths = ", ".join(
        _("%(phase)s %(days)s days") % {"phase": p.local_name, "days": s.days} for p, s in done
    )
    return FAIL, _("phases of unequal length (%(lengths)s)") % {"lengths": lengths}


def _focus_areas(j: Journey, r: Records) -> Verdict:
    problems = []
    judged = 0
    for phase in r.phases:
        stay = j.stays.get(phase.id)
        if stay is None:
            continue
        named = r.in_stay[(j.id, phase.id)].focus_areas
        if named is None:
            if (stay.end - stay.start).days >= PLAN_GRACE_DAYS:
                judged += 1
                problems.append(_("no phase plan for %(phase)s") % {"phase": phase.local_name})
            continue
        judged += 1
        if not FOCUS_AREAS_MIN <= named <= FOCUS_AREAS_MAX:
            problems.append(
                _("%(count)s focus areas in %(phase)s")
                % {"count": named, "phase": phase.local_name}
            )
    if problems:
        return FAIL, "; ".join(problems)
    return (PASS, "") if judged else (NOT_YET, "")


def _first_month(j: Journey, r: Records) -> Verdict:
    start = j.stays[r.phases[0].id].start
    end = start + datetime.timedelta(days=FIRST_MONTH_DAYS)
    n = r.in_stay[(j.id, r.phases[0].id)].first_month
    if n >= FIRST_MONTH_CONTACTS:
        return PASS, ""
    if r.today < end:
        return NOT_YET, ""
    return FAIL, ngettext(
        "%(count)s contact in the first month", "%(count)s contacts in the first month", n
    ) % {"count": n}


def _community(j: Journey, r: Records) -> Verdict:
    stay = j.stays[r.phases[0].id]
    n = r.in_stay[(j.id, r.phases[0].id)].community
    if n >= COMMUNITY_MEETINGS:
        return PASS, ""
    if stay.ongoing:
        return NOT_YET, ""
    return FAIL, ngettext(
        "%(count)s meeting in the community in phase 1",
        "%(count)s meetings in the community in phase 1",
        n,
    ) % {"count": n}


def _supports(j: Journey, r: Records) -> Verdict:
    stay = j.stays[r.phases[0].id]
    n = r.in_stay[(j.id, r.phases[0].id)].supports
    if n >= SUPPORT_MEETINGS:
        return PASS, ""
    if stay.ongoing:
        return NOT_YET, ""
    return FAIL, ngettext(
        "%(count)s meeting with her supports in phase 1",
        "%(count)s meetings with her supports in phase 1",
        n,
    ) % {"count": n}


def _decreasing(j: Journey, r: Records) -> Verdict:
    done = _completed(j, r)
    if len(done) < 2:
        return NOT_YET, ""
    counts = [(p, r.in_stay[(j.id, p.id)].contacts) for p, _ in done]
    rises = [
        _("%(later)s %(after)s after %(earlier)s %(before)s")
        % {"later": later.local_name, "after": m, "earlier": earlier.local_name, "before": n}
        for (earlier, n), (later, m) in pairwise(counts)
        if m >= n
    ]
    if rises:
        return FAIL, _("contacts did not fall: %(rises)s") % {"rises": "; ".join(rises)}
    return PASS, ""


def _early_linking(j: Journey, r: Records) -> Verdict:
    stay = j.stays[r.phases[0].id]
    if r.in_stay[(j.id, r.phases[0].id)].referrals_made:
        return PASS, ""
    if stay.ongoing:
        return NOT_YET, ""
    return FAIL, _("no referral made in phase 1")


def _monitoring(j: Journey, r: Records) -> Verdict:
    if len(r.phases) < 2 or r.phases[1].id not in j.stays:
        return NOT_YET, ""
    stay = j.stays[r.phases[1].id]
    if r.in_stay[(j.id, r.phases[1].id)].referral_news:
        return PASS, ""
    if stay.ongoing:
        return NOT_YET, ""
    return FAIL, _("no news of her referrals recorded in phase 2")


def _no_early_discharge(j: Journey, r: Records) -> Verdict:
    if not j.exit_reason:
        return NOT_YET, ""
    if j.exit_reason in NOT_A_DISCHARGE or j.exited_from == r.phases[-1].id:
        return PASS, ""
    reason = str(ExitReason(j.exit_reason).label).lower()
    where = next((p.local_name for p in r.phases if p.id == j.exited_from), None)
    if where is None:
        return FAIL, _("left before phase 1: %(reason)s") % {"reason": reason}
    return FAIL, _("left in %(phase)s: %(reason)s") % {"phase": where, "reason": reason}


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


def reached_phase_1(
    enrolments: QuerySet[Enrolment], phases: list[PhaseInfo]
) -> QuerySet[Enrolment]:
    """Those of the enrolments who were moved into CTI phase 1."""
    return enrolments.filter(
        Exists(
            JourneyEvent.objects.filter(
                enrolment=OuterRef("pk"), kind__in=ENTRIES, to_phase=phases[0].id
            )
        )
    )


def _load(
    program: Program, enrolments: QuerySet[Enrolment], phases: list[PhaseInfo], today: datetime.date
) -> tuple[list[Journey], Records]:
    """Those of the enrolments who reached CTI phase 1, with their stays in the CTI
    phases, and what was recorded during each stay (two queries: a row per enrolment,
    and one per stay)."""
    people = reached_phase_1(enrolments, phases)
    found = enrolment_journeys(people)
    sql, params = stays_sql(people, today)
    phase_ids = [db_value(Phase, p.id) for p in phases]
    rows = select(
        _counted_stays_sql(sql, phase_ids), [*params, *_counted_stays_params(program, phase_ids)]
    )
    counts: dict[tuple[UUID, UUID], InStay] = {}
    for enrolment_id, phase_id, start, end, ongoing, *counted in rows:
        journey, phase = found[as_uuid(enrolment_id)], as_uuid(phase_id)
        journey.stays[phase] = Stay(phase, as_date(start), as_date(end), bool(ongoing))
        counts[(journey.id, phase)] = InStay(*counted)
    return [j for j in found.values() if phases[0].id in j.stays], Records(phases, today, counts)


def _counted_stays_sql(stays: str, phase_ids: list[Any]) -> str:
    """After the `stays` CTEs: each stay in a CTI phase with what was recorded during it
    (contacts, community and support contacts, first-month contacts, referrals made,
    referral news, the focus areas of its phase plan). Its parameters, in order, are
    `_counted_stays_params`."""
    from doorway.casework.models import Contact
    from doorway.plans.models import PhasePlan
    from doorway.referrals.models import Referral, ReferralUpdate

    tags = Contact.ingredients.through._meta.db_table
    focus = PhasePlan.focus_areas.through._meta.db_table
    in_stay = in_stay_sql("ct.happened_on")
    in_first_month = (
        "(st.is_first = 1 AND ct.happened_on >= st.start AND ct.happened_on < st.month_end)"
    )
    return f"""{stays},
marked AS (
    SELECT st.enrolment_id, st.phase_id, st.start, st.finish, st.ongoing,
           CASE WHEN st.phase_id = %s THEN 1 ELSE 0 END AS is_first,
           CASE WHEN st.phase_id = %s THEN 1 ELSE 0 END AS is_second,
           {plus_days("st.start", "%s")} AS month_end,
           CASE WHEN st.ongoing = 1 THEN {plus_days("st.finish", "1")} ELSE st.finish END
               AS until
    FROM stays st
    WHERE st.phase_id IN ({placeholders(phase_ids)})
),
-- Each stay with the dates [lo, hi) of the contacts it counts: during the stay, and in
-- phase 1 her first month too. A plain range, so that her contacts are read through
-- the (enrolment, date) index.
cti AS (
    SELECT st.*,
           CASE WHEN st.ongoing = 1 THEN %s ELSE st.start END AS lo,
           CASE WHEN st.is_first = 1 AND st.month_end > st.until THEN st.month_end
                ELSE st.until END AS hi
    FROM marked st
),
-- The contacts tagged with the program's ingredient (a contact takes only her
-- program's ingredients, each once).
tagged AS (
    SELECT ci.contact_id
    FROM {tags} ci
    WHERE ci.keyingredient_id = (
        SELECT ki.id FROM {KeyIngredient._meta.db_table} ki
        WHERE ki.program_id = %s AND ki.slug = %s
    )
),
counted AS (
    SELECT st.enrolment_id, st.phase_id,
           SUM(CASE WHEN {in_stay} THEN 1 ELSE 0 END) AS contacts,
           SUM(CASE WHEN {in_stay} AND ct.kind IN ({placeholders(COMMUNITY_KINDS)})
                    THEN 1 ELSE 0 END) AS community,
           SUM(CASE WHEN {in_stay} AND (ct.kind = %s OR tg.contact_id IS NOT NULL)
                    THEN 1 ELSE 0 END) AS supports,
           SUM(CASE WHEN {in_first_month} THEN 1 ELSE 0 END) AS first_month
    FROM cti st
    LEFT JOIN {Contact._meta.db_table} ct
           ON ct.enrolment_id = st.enrolment_id
          AND ct.happened_on >= st.lo AND ct.happened_on < st.hi
    LEFT JOIN tagged tg ON tg.contact_id = ct.id
    GROUP BY st.enrolment_id, st.phase_id
),
made AS (
    SELECT st.enrolment_id, st.phase_id, COUNT(*) AS n
    FROM cti st JOIN {Referral._meta.db_table} r ON r.enrolment_id = st.enrolment_id
    WHERE st.is_first = 1 AND {in_stay_sql("r.made_on")}
    GROUP BY st.enrolment_id, st.phase_id
),
news AS (
    SELECT st.enrolment_id, st.phase_id, COUNT(*) AS n
    FROM cti st
    JOIN {Referral._meta.db_table} r ON r.enrolment_id = st.enrolment_id
    JOIN {ReferralUpdate._meta.db_table} u ON u.referral_id = r.id
    WHERE st.is_second = 1 AND {in_stay_sql("u.dated_on")}
      -- Its first step, made, is the worker's own act on the day, not news from the partner.
      AND u.status <> %s
    GROUP BY st.enrolment_id, st.phase_id
),
plans AS (
    SELECT pp.enrolment_id, pp.phase_id, COUNT(fa.id) AS n
    FROM {PhasePlan._meta.db_table} pp LEFT JOIN {focus} fa ON fa.phaseplan_id = pp.id
    WHERE pp.enrolment_id IN (SELECT id FROM cohort)
    GROUP BY pp.id, pp.enrolment_id, pp.phase_id
)
SELECT st.enrolment_id, st.phase_id, st.start, st.finish, st.ongoing,
       cn.contacts, cn.community, cn.supports, cn.first_month,
       COALESCE(made.n, 0), COALESCE(news.n, 0), plans.n
FROM cti st
JOIN counted cn ON cn.enrolment_id = st.enrolment_id AND cn.phase_id = st.phase_id
LEFT JOIN made ON made.enrolment_id = st.enrolment_id AND made.phase_id = st.phase_id
LEFT JOIN news ON news.enrolment_id = st.enrolment_id AND news.phase_id = st.phase_id
LEFT JOIN plans ON plans.enrolment_id = st.enrolment_id AND plans.phase_id = st.phase_id
"""  # noqa: S608 - table names and placeholders only; every value is a parameter


def _counted_stays_params(program: Program, phase_ids: list[Any]) -> list[Any]:
    from doorway.referrals.models import ReferralStatus

    second = phase_ids[1] if len(phase_ids) > 1 else None
    return [
        phase_ids[0],
        second,
        FIRST_MONTH_DAYS,
        *phase_ids,
        connection.ops.adapt_datefield_value(datetime.date.min),
        db_value(Program, program.pk),
        SUPPORTS_INGREDIENT,
        *COMMUNITY_KINDS,
        SUPPORTS_KIND,
        str(ReferralStatus.MADE),
    ]


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
        {
            "worker": _("Case manager %(number)s") % {"number": index},
            "caseload": n,
            "within_limit": n <= limit,
        }
        for index, n in enumerate(loads, start=1)
    ]
    over = [w for w in workers if not w["within_limit"]]
    return {
        **_words(PROGRAM_ITEMS[0]),
        "limit": limit,
        "workers": workers,
        "assessed": len(workers),
        "passed": len(workers) - len(over),
        "percent": percent(len(workers) - len(over), len(workers)),
        "falling_short": [
            {
                "worker": w["worker"],
                "why": _("%(open)s open, over %(limit)s") % {"open": w["caseload"], "limit": limit},
            }
            for w in over
        ],
    }


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _supervision(people: list[Journey], workers: QuerySet[Enrolment], r: Records) -> dict[str, Any]:
    """`workers`: the people's enrolments, for their case managers."""
    from doorway.casework.models import SupervisionSession
    from doorway.people.models import Team

    starts = [j.stays[r.phases[0].id].start for j in people]
    teams = list(
        Team.objects.filter(members__in=workers.values("case_manager_id"))
        .distinct()
        .order_by("name")
        .values_list("id", flat=True)
    )
    base = {**_words(PROGRAM_ITEMS[1]), "teams": []}
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
        label = _("Team %(number)s") % {"number": index}
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
            if len(missed) > 5:
                why = _("no supervision in the weeks of %(dates)s and %(more)s more") % {
                    "dates": dates,
                    "more": len(missed) - 5,
                }
            else:
                why = _("no supervision in the weeks of %(dates)s") % {"dates": dates}
            short.append({"team": label, "why": why})
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
    people, records = _load(cohort.program, enrolments, phases, today) if phases else ([], None)
    items = []
    verdicts: dict[str, dict[str, str]] = {j.code: {} for j in people}
    for item in ITEMS:
        judged = passed = 0
        short = []
        for j in people:
            assert records is not None
            verdict, why = CHECKS[str(item["item"])](j, records)
            verdicts[j.code][str(item["item"])] = verdict
            if verdict == NOT_YET:
                continue
            judged += 1
            if verdict == PASS:
                passed += 1
            else:
                short.append({"code": j.code, "why": why})
        items.append(
            {
                **_words(item),
                "assessed": judged,
                "passed": passed,
                "percent": percent(passed, judged),
                "not_yet": len(people) - judged,
                "falling_short": short,
            }
        )
    program_items = [_caseload(cohort)]
    program_items.append(
        _supervision(people, reached_phase_1(enrolments, phases), records)
        if records is not None
        else {
            **_words(PROGRAM_ITEMS[1]),
            "assessed": 0,
            "passed": 0,
            "percent": None,
            "falling_short": [],
        }
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
        "population": _(
            "Women in the cohort with consent to the evaluation in force who reached CTI phase 1."
        ),
        "participants_assessed": len(people),
        "items": items,
        "program_items": program_items,
        "participants": participants,
    }


__all__ = ["ITEMS", "PROGRAM_ITEMS", "add_months", "fidelity_report"]

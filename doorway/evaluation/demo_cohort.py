"""The demo's evaluation cohort: the records from which the evaluation, run through the
ordinary code path, reproduces the published Exit Doors Here figures (DESIGN.md, "Demo
data"). Nothing here is a figure: it is assessments, cost lines and partner surveys,
recorded through the ordinary actions, that the evaluation then counts.

The published study covered Cycles 1-4 (`EVALUATED_CYCLES`). Only women in those cycles
were asked to join the research, so the current intake holds no evaluation consent and
an evaluation of all cycles gives the same outcome figures as one of Cycles 1-4. The
current intake's costs are not in yet (its year has not closed), so it has no cost lines.

Among the 55 women of Cycles 1-4 whose consent is in force (`plan_outcomes` assigns what
each one's records say, deterministically from the seed):
- at intake 52 are involved in sex work (rarely to always) and 2 are at risk of
  returning; the 55th has no intake assessment on record (missing data, reported as
  such rather than counted as "not at all");
- 30 graduates have a follow-up one month after graduation: 19 not involved at all, 11
  rarely;
- 34 have a later journey rating than their baseline in at least one area; by area,
  support networks 19 progressed of 30 rated, accommodation 18 of 30, money 17 of 34,
  work and learning 16 of 32 (progressed: latest rating above the baseline).
Women who never consented, or withdrew, have assessments too (the program assesses
everyone), with different outcomes, so that counting them by mistake would show.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from doorway.enrolments.models import Enrolment, EventKind, ExitReason
from doorway.evaluation import survey
from doorway.evaluation.models import PartnerSurveyResponse, Relationship
from doorway.instruments import exit_doors_here as instruments
from doorway.instruments.actions import record_administration
from doorway.instruments.demo import record_intake, record_journey
from doorway.instruments.models import Instrument, InstrumentVersion, Timepoint
from doorway.people.models import User
from doorway.programs.actions import add_cost_line
from doorway.programs.models import CostCategory, Cycle, PartnerAgency, Program

EVALUATED_CYCLES = ("Cycle 1", "Cycle 2", "Cycle 3", "Cycle 4")

# The four areas with published figures: (slug, progressed, rated at baseline and later).
PUBLISHED_PROGRESS = [
    ("support-networks", 19, 30),
    ("accommodation", 18, 30),
    ("money", 17, 34),
    ("work-and-learning", 16, 32),
]
LATER_RATED = 34  # women with a later rating in at least one area (all of them in money)
FOLLOW_UPS = {"not_at_all": 19, "rarely": 11}
AT_RISK_AT_INTAKE = 2
INVOLVED = ["rarely", "sometimes", "often", "often", "always"]

# A cycle's costs by category; operating cost is everything but evaluation.
# The tests check that each cycle's operating lines add up to its published total.
S, SP, SU, PH, FT, OT, EV = (
    CostCategory.STAFF,
    CostCategory.SPACE,
    CostCategory.PARTICIPANT_SUPPORTS,
    CostCategory.PEER_HONORARIA,
    CostCategory.DROP_IN_FOOD_TRANSIT,
    CostCategory.OTHER,
    CostCategory.EVALUATION,
)
# fmt: off
COSTS: dict[str, list[tuple[str, str, str]]] = {
    "Cycle 1": [
        (S, "398420.00", "Case managers, peer mentor coordinator, program manager"),
        (SP, "54000.00", "Office and drop-in room"),
        (SU, "62385.40", "Emergency funds, ID replacement, transit passes"),
        (PH, "21600.00", "Peer mentor honoraria"),
        (FT, "27914.35", "Drop-in meals and tokens"),
        (OT, "22179.35", "Phones, training, supplies"),
        (EV, "38500.00", "External evaluation: questionnaires and interviews"),
    ],
    "Cycle 2": [
        (S, "412880.00", "Case managers, peer mentor coordinator, program manager"),
        (SP, "55620.00", "Office and drop-in room"),
        (SU, "71940.25", "Emergency funds, ID replacement, transit passes"),
        (PH, "24000.00", "Peer mentor honoraria"),
        (FT, "31208.90", "Drop-in meals and tokens"),
        (OT, "16047.65", "Phones, training, supplies"),
        (EV, "41200.00", "External evaluation: questionnaires and interviews"),
    ],
    "Cycle 3": [
        (S, "401615.00", "Case managers, peer mentor coordinator, program manager"),
        (SP, "57288.60", "Office and drop-in room"),
        (SU, "58712.30", "Emergency funds, ID replacement, transit passes"),
        (PH, "19200.00", "Peer mentor honoraria"),
        (FT, "26433.75", "Drop-in meals and tokens (fewer sessions in lockdown)"),
        (OT, "23199.45", "Phones, laptops for remote contact, training"),
        (EV, "36750.00", "External evaluation: questionnaires and interviews"),
    ],
    "Cycle 4": [
        (S, "425940.00", "Case managers, peer mentor coordinator, program manager"),
        (SP, "59007.26", "Office and drop-in room"),
        (SU, "66518.92", "Emergency funds, ID replacement, transit passes"),
        (PH, "22800.00", "Peer mentor honoraria"),
        (FT, "29671.40", "Drop-in meals and tokens"),
        (OT, "19448.20", "Phones, training, supplies"),
        (EV, "44900.00", "External evaluation, cost analysis and final report"),
    ],
}
# fmt: on

SURVEY_YEAR = 2022  # the partner survey at the end of Cycle 4


@dataclass
class Outcome:
    """What one woman's assessment records say. Ratings by focus-area slug."""

    intake_involvement: str | None = "often"  # None: no intake assessment on record
    baseline: dict[str, int] = field(default_factory=dict)
    later: dict[str, int] = field(default_factory=dict)  # her latest rating, per area
    graduation_involvement: str | None = None
    follow_up: str | None = None  # involvement one month after graduation


class Person(Protocol):
    """A woman of the demo's table (`doorway.demo.Person`), as far as her evaluation
    records depend on it. The demo sits above the evaluation and hands its table down."""

    @property
    def legal_name(self) -> str: ...
    @property
    def cycle(self) -> str: ...
    @property
    def ending(self) -> str: ...
    @property
    def evaluation(self) -> bool: ...
    @property
    def withdraws_evaluation(self) -> bool: ...
    def reached(self, stage: str) -> bool: ...


def counts_in_evaluation(person: Person) -> bool:
    return (
        person.cycle in EVALUATED_CYCLES
        and person.evaluation
        and not person.withdraws_evaluation
        and person.reached("intake")
    )


def plan_outcomes(people: Sequence[Person], areas: Sequence[str]) -> dict[str, Outcome]:
    """Each woman's outcome records, by legal name, for every woman who reached intake
    in Cycles 1-4. Deterministic: depends only on the table and the seed."""
    rng = random.Random(4)  # noqa: S311 - reproducible demo data
    assessed = [p for p in people if p.cycle in EVALUATED_CYCLES and p.reached("intake")]
    plans = {
        p.legal_name: Outcome(baseline={a: rng.randint(1, 5) for a in areas}) for p in assessed
    }
    for p in assessed:
        plans[p.legal_name].intake_involvement = rng.choice(INVOLVED)

    counted = [p for p in assessed if counts_in_evaluation(p)]
    graduates = [p for p in counted if p.ending == ExitReason.GRADUATED]
    went_on = [p for p in counted if p.ending != ExitReason.GRADUATED and p.reached("services")]
    early = [p for p in counted if not p.reached("services")]
    # Missing data: one woman who left early has no intake assessment on record.
    plans[early[-1].legal_name].intake_involvement = None
    for p in rng.sample([p for p in counted if p is not early[-1]], AT_RISK_AT_INTAKE):
        plans[p.legal_name].intake_involvement = "at_risk"

    followed = rng.sample(graduates, sum(FOLLOW_UPS.values()))
    answers = [code for code, n in FOLLOW_UPS.items() for _ in range(n)]
    for p, code in zip(followed, answers, strict=True):
        plans[p.legal_name].follow_up = code
    for p in graduates:
        plan = plans[p.legal_name]
        plan.graduation_involvement = (
            plan.follow_up
            if plan.follow_up and rng.random() < 0.7
            else rng.choice(["not_at_all", "rarely", "sometimes"])
        )

    # Later ratings: most graduates, and some who left after services began.
    later = rng.sample(graduates, LATER_RATED - 4) + rng.sample(went_on, 4)
    published = {slug for slug, _, _ in PUBLISHED_PROGRESS}
    for slug, progressed, rated in PUBLISHED_PROGRESS:
        rated_women = rng.sample(later, rated)
        better = set(map(id, rng.sample(rated_women, progressed)))
        for p in rated_women:
            plan = plans[p.legal_name]
            plan.later[slug] = _latest(rng, plan.baseline[slug], progressed=id(p) in better)
    for p in later:  # the other areas: no published figure, a realistic spread
        plan = plans[p.legal_name]
        for slug in areas:
            if slug not in published and rng.random() < 0.6:
                plan.later[slug] = _latest(rng, plan.baseline[slug], progressed=rng.random() < 0.5)

    # Women outside the research: different outcomes, so counting them would show.
    for p in assessed:
        if counts_in_evaluation(p) or p.cycle not in EVALUATED_CYCLES:
            continue
        plan = plans[p.legal_name]
        if p.ending == ExitReason.GRADUATED:
            plan.later = {a: _latest(rng, plan.baseline[a], progressed=True) for a in areas}
            plan.graduation_involvement = "sometimes"
            plan.follow_up = "often"
    return plans


def _latest(rng: random.Random, baseline: int, *, progressed: bool) -> int:
    if progressed:
        return min(10, baseline + rng.randint(1, 4))
    return max(1, baseline - rng.choice([0, 0, 0, 1, 2]))


def _instrument_version(program: Program, slug: str) -> InstrumentVersion:
    version = Instrument.objects.get(program=program, slug=slug).current_version()
    assert version is not None
    return version


def record_outcomes(enrolment: Enrolment, plan: Outcome, rng: random.Random) -> None:
    """Her assessments, dated from her journey: intake and baseline the day after she
    entered intake, a phase-change rating when she entered her last phase, the
    graduation review on her graduation day, the follow-up a month later."""
    program = enrolment.cycle.program
    # The days she entered intake, services and a new identity (the referral aside).
    entries = [
        e.effective_on
        for e in enrolment.events.filter(kind=EventKind.ADVANCED).order_by("effective_on")
    ]
    if not entries:
        return
    intake_day = entries[0] + datetime.timedelta(days=1)
    if plan.intake_involvement is not None:
        record_intake(enrolment, rng, on=intake_day, involvement=plan.intake_involvement)
    record_journey(enrolment, plan.baseline, on=intake_day)
    graduated = enrolment.exit_reason == ExitReason.GRADUATED
    if plan.later and len(entries) > 1:
        # On the way: halfway from baseline to her latest rating.
        midway = {a: (plan.baseline[a] + r + 1) // 2 for a, r in plan.later.items()}
        record_journey(
            enrolment,
            plan.later if not graduated else midway,
            on=entries[-1],
            timepoint=Timepoint.PHASE_CHANGE,
        )
    if graduated and enrolment.exited_on is not None:
        answers: dict[str, object] = dict(plan.later) if plan.later else {}
        if plan.graduation_involvement:
            answers["sex_work_involvement"] = plan.graduation_involvement
        if answers:
            record_administration(
                enrolment,
                _instrument_version(program, instruments.GRADUATION),
                by=enrolment.case_manager,
                timepoint=Timepoint.GRADUATION,
                completed_on=enrolment.exited_on,
                answers=answers,
            )
        if plan.follow_up:
            record_administration(
                enrolment,
                _instrument_version(program, instruments.FOLLOW_UP),
                by=enrolment.case_manager,
                timepoint=Timepoint.FOLLOW_UP,
                completed_on=enrolment.exited_on + datetime.timedelta(days=30),
                answers={
                    "sex_work_involvement": plan.follow_up,
                    "housing": rng.choice(["own_place", "own_place", "supportive", "with_others"]),
                    "connected_to_supports": "yes",
                    "supports_in_touch": rng.sample(["counselling", "health", "peer", "legal"], 2),
                },
            )


def add_costs(cycles: Mapping[str, Cycle], *, by: User) -> int:
    """The published cycles' cost lines, through the cost-line action; a cycle that
    already has lines is left alone. Returns how many lines were added."""
    added = 0
    for name, lines in COSTS.items():
        cycle = cycles[name]
        if cycle.cost_lines.exists():
            continue
        for category, amount, description in lines:
            add_cost_line(
                cycle, by=by, category=category, amount=Decimal(amount), description=description
            )
            added += 1
    return added


def add_partner_surveys(partners: Sequence[PartnerAgency], rng: random.Random, *, by: User) -> int:
    """One survey answer per partner for SURVEY_YEAR, every one positive, as published,
    through the survey's own action; a partner already answered for that year is left
    alone."""
    answered = set(
        PartnerSurveyResponse.objects.filter(partner__in=partners, year=SURVEY_YEAR).values_list(
            "partner_id", flat=True
        )
    )
    added = 0
    for partner in partners:
        # Drawn for every partner, so that each one's answer never depends on the others.
        relationship = rng.choice([Relationship.VERY_POSITIVE, Relationship.POSITIVE])
        benefits = rng.sample([code for code, _ in survey.BENEFITS], rng.randint(1, 3))
        if partner.pk in answered:
            continue
        survey.record_response(
            by=by, partner=partner, year=SURVEY_YEAR, relationship=relationship, benefits=benefits
        )
        added += 1
    return added

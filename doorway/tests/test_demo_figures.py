"""The demo reproduces every published Exit Doors Here figure (DESIGN.md, "Demo data")
through `doorway evaluate`, the ordinary code path: nothing here counts records itself."""

from __future__ import annotations

import io
import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from doorway import demo
from doorway.evaluation import demo_cohort, survey
from doorway.instruments.models import Administration, Timepoint
from doorway.people.actions import withdraw_consent
from doorway.people.models import Consent, ConsentKind
from doorway.programs.models import CostCategory, PartnerAgency

# The published figures, as DESIGN.md gives them.
PROGRESS = {
    "Support networks": (19, 30),
    "Accommodation": (18, 30),
    "Money": (17, 34),
    "Work and learning": (16, 32),
}
CYCLES = {
    "Cycle 1": (30, "586499.10", "19549.97"),
    "Cycle 2": (40, "611696.80", "15292.42"),
    "Cycle 3": (31, "586449.10", "18917.71"),
    "Cycle 4": (33, "623385.78", "18890.48"),
}


def evaluate() -> dict[str, Any]:
    out = io.StringIO()
    call_command("evaluate", "--program", "exit-doors-here", "--format", "json", stdout=out)
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


def check_published_figures(report: dict[str, Any]) -> None:
    assert report["participants"]["evaluation"] == 55

    intake = report["involvement"]["at"]["intake"]
    involved = sum(intake[c] for c in ("rarely", "sometimes", "often", "always"))
    assert (involved, intake["at_risk"], intake["not_at_all"]) == (52, 2, 0)
    assert report["involvement"]["summary"]["intake"]["missing"] == 1

    follow_up = report["involvement"]["at"]["follow_up"]
    assert sum(follow_up.values()) == 30
    assert (follow_up["not_at_all"], follow_up["rarely"]) == (19, 11)

    areas = {row["area"]: (row["progressed"], row["assessed"]) for row in report["focus_areas"]}
    for area, figures in PROGRESS.items():
        assert areas[area] == figures, area

    cycles = {row["cycle"]: row for row in report["cycles"]}
    for name, (enrolled, operating, per_participant) in CYCLES.items():
        row = cycles[name]
        assert row["enrolled"] == enrolled, name
        assert Decimal(row["operating_cost"]) == Decimal(operating), name
        assert Decimal(row["cost_per_participant"]) == Decimal(per_participant), name
    published = [Decimal(cycles[name]["cost_per_participant"]) for name in CYCLES]
    assert (min(published), max(published)) == (Decimal("15292.42"), Decimal("19549.97"))


# A fidelity item is kept when at least three in four of the women judged on it meet
# it: below that, one woman in four or more missed that part of the model. The demo's
# one item that its generators do not write but take from the published cohort's
# journeys, no discharge before the end (43 of 55, 78%), sits just above it. Three of
# the twelve items may fall short: the rest must be kept for the demo to show a program
# that mostly keeps the model, as Exit Doors Here did.
KEPT_PERCENT = 75
KEPT_ITEMS = 9


def check_the_program_mostly_keeps_the_model(report: dict[str, Any]) -> None:
    fidelity = report["fidelity"]
    items = {row["item"]: row for row in fidelity["items"] + fidelity["program_items"]}
    assert len(items) == 12
    shares = {item: row["percent"] for item, row in items.items()}
    kept = [item for item, row in items.items() if (row["percent"] or 0) >= KEPT_PERCENT]
    assert len(kept) >= KEPT_ITEMS, shares
    # Drop-in attendance varies among the women assessed, so the dose-response table
    # compares more than one group.
    groups = [row for row in report["process"]["dose_response"]["rows"] if row["assessed"]]
    assert len(groups) > 1, groups


def check_the_loaded_demo_reproduces_every_published_figure() -> None:
    """Called by the test that loads the demo (test_demo.py): loading it takes about a
    minute, so the tests that need it whole share one load."""
    report = evaluate()
    check_published_figures(report)
    check_the_program_mostly_keeps_the_model(report)

    # 22 partner agencies surveyed, all reporting a positive working relationship.
    partners = PartnerAgency.objects.all()
    assert partners.count() == 22
    (year,) = [y for y in survey.summary(partners) if y.year == demo_cohort.SURVEY_YEAR]
    assert (year.surveyed, year.positive) == (22, 22)

    # Women outside the research have records of their own that would move the figures.
    outside = Administration.objects.exclude(
        enrolment__participant__consents__kind=ConsentKind.EVALUATION,
        enrolment__participant__consents__withdrawn_on__isnull=True,
    )
    assert outside.filter(timepoint=Timepoint.FOLLOW_UP).exists()
    assert outside.filter(timepoint=Timepoint.INTAKE).exists()

    # Loading again adds nothing, so the figures stay.
    assert not demo.load().anything
    assert evaluate() == report

    # And the consent filter is live: one followed-up woman withdraws, one fewer counts.
    followed = Administration.objects.filter(
        timepoint=Timepoint.FOLLOW_UP,
        enrolment__participant__consents__kind=ConsentKind.EVALUATION,
        enrolment__participant__consents__withdrawn_on__isnull=True,
    ).first()
    assert followed is not None
    consent = Consent.objects.get(
        participant=followed.enrolment.participant_id,
        kind=ConsentKind.EVALUATION,
        withdrawn_on__isnull=True,
    )
    withdraw_consent(consent, on=timezone.localdate(), by=followed.recorded_by)
    after = evaluate()
    assert after["participants"]["evaluation"] == 54
    assert sum(after["involvement"]["at"]["follow_up"].values()) == 29


def test_the_published_cost_lines_add_up_to_the_cent() -> None:
    for name, (enrolled, operating, per_participant) in CYCLES.items():
        lines = demo_cohort.COSTS[name]
        total = sum(
            (
                Decimal(amount)
                for category, amount, _ in lines
                if category != CostCategory.EVALUATION
            ),
            Decimal("0.00"),
        )
        assert total == Decimal(operating), name
        share = (total / enrolled).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert share == Decimal(per_participant), name
        assert any(category == CostCategory.EVALUATION for category, _, _ in lines)


def test_only_the_published_cycles_were_asked_to_join_the_research() -> None:
    # The current intake holds no evaluation consent, so evaluating all cycles gives the
    # published (Cycles 1-4) outcome figures.
    counted = [p for p in demo.PEOPLE if demo_cohort.counts_in_evaluation(p)]
    assert len(counted) == 55
    assert {p.cycle for p in counted} == set(demo_cohort.EVALUATED_CYCLES)
    names = [p.legal_name for p in demo.PEOPLE]
    assert len(names) == len(set(names))

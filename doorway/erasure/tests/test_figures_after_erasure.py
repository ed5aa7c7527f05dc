"""The evaluation figures after an erasure, as the README ("Retention and erasure")
says: computed on the demo's four cycles, the whole evaluation report (what `doorway
evaluate` and /evaluation/ show) before and after.

- A woman erased while her research consent is in force keeps her de-identified rows:
  every figure is exactly as before.
- A woman without it was in no outcome figure (those count consenting women only), and
  they stay exactly as before; the process figures and the cycle's count of enrolled
  women no longer count her."""

from __future__ import annotations

from typing import Any

import pytest

from doorway import demo
from doorway.erasure.actions import approve_erasure, propose_erasure
from doorway.evaluation.cohort import Cohort
from doorway.evaluation.report import evaluation_report
from doorway.people.models import ConsentKind, Participant, User
from doorway.programs.models import Program

pytestmark = pytest.mark.django_db

# What counts only the women in the research.
OUTCOMES = ("focus_areas", "involvement")


def erased(participant: Participant) -> None:
    # Two people: a case manager proposes, the program manager approves.
    proposer = User.objects.get(username="casemanager")
    approver = User.objects.get(username="programmanager")
    change = propose_erasure(participant, by=proposer, reason="She asked us to erase her record.")
    approve_erasure(change, by=approver)


def test_the_evaluation_figures_after_an_erasure_behave_as_the_readme_says() -> None:
    demo.load()
    program = Program.objects.get(slug="exit-doors-here")
    cohort = Cohort(program=program)
    in_research = Participant.objects.consented_to(ConsentKind.EVALUATION)
    left = Participant.objects.filter(
        enrolments__cycle__program=program, enrolments__exited_on__isnull=False
    ).order_by("code")
    consenting = left.filter(pk__in=in_research).first()
    not_consenting = left.exclude(pk__in=in_research).first()
    assert consenting is not None
    assert not_consenting is not None

    before: dict[str, Any] = evaluation_report(cohort)
    assert before["participants"]["evaluation"] > 0
    assert any(area["assessed"] for area in before["focus_areas"]), "figures to keep"

    erased(consenting)
    assert not Participant.objects.get(pk=consenting.pk).legal_name
    assert evaluation_report(cohort) == before

    erased(not_consenting)
    assert not Participant.objects.filter(pk=not_consenting.pk).exists()
    after: dict[str, Any] = evaluation_report(cohort)
    for part in OUTCOMES:
        assert after[part] == before[part], part
    counted = before["participants"]
    assert after["participants"] == {
        "referred": counted["referred"] - 1,
        "enrolled": counted["enrolled"] - 1,
        "evaluation": counted["evaluation"],
    }
    reach = before["process"]["reach"]["enrolled"]["n"]
    assert after["process"]["reach"]["enrolled"]["n"] == reach - 1
    assert sum(c["enrolled"] for c in after["cycles"]) == (
        sum(c["enrolled"] for c in before["cycles"]) - 1
    )

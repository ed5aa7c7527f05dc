"""Who may see the evaluation, take the research export, and see a woman's ratings
chart.

- The evaluation (page and funder report) of a program: its program managers and its
  evaluators, and an evaluator of the agency that runs it. Everyone else who may never
  see an evaluation (case managers, peer mentors, administrators) is refused (403);
  an evaluator or program manager of another program gets an audited 404, as for any
  record out of reach.
- The research export: evaluators only. It is the one way data leave for research,
  so even a program manager goes through an evaluator.
- Her focus-area ratings chart on the enrolment page: her own case team only (the case
  managers who reach her). It is a picture of her progress, for working with her, not
  for supervision or mentoring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import HttpRequest

from doorway.audit.refusal import refuse
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may, programs_for, roles_that_may
from doorway.programs.models import Program

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone

EVALUATION_ROLES = roles_that_may(Can.SEE_EVALUATION)


def sees_evaluations(user: Someone) -> bool:
    """Her role may see some program's evaluation."""
    return may(user, Can.SEE_EVALUATION)


def evaluated_programs(user: Someone) -> QuerySet[Program]:
    """The programs whose evaluation she sees."""
    return programs_for(user, Can.SEE_EVALUATION)


def takes_research_export(user: Someone) -> bool:
    return may(user, Can.TAKE_RESEARCH_EXPORT)


def names_fidelity_shortfalls(user: Someone) -> bool:
    """Who falls short of a fidelity item, by participant code: for a program manager,
    who reaches those records anyway; an evaluator sees the counts only."""
    return may(user, Can.NAME_FIDELITY_SHORTFALLS)


def sees_exact_figures(user: Someone) -> bool:
    """For someone who already sees the program's evaluation (`access_evaluation`): a
    program manager reaches every record of her program, so its evaluation page shows
    her the exact figures for any cohort. Everyone else (an evaluator) sees them under
    disclosure control (`disclosure`): whole cycles, perturbed counts, "<5"."""
    return may(user, Can.SEE_EXACT_FIGURES)


def sees_ratings_chart(user: Someone) -> bool:
    """For someone who already reaches the enrolment (`access_enrolment`): a case
    manager reaches exactly her own and her teammates' enrolments, that is, the case
    team. Program managers, peer mentors and administrators do not see it."""
    return may(user, Can.SEE_RATINGS_CHART)


def access_evaluation(request: HttpRequest, program_slug: str) -> Program:
    """The program whose evaluation she may see; 403 for a role that never sees one,
    an audited 404 for a program out of her reach."""
    from django.core.exceptions import PermissionDenied

    if not sees_evaluations(request.user):
        raise PermissionDenied
    program = evaluated_programs(request.user).filter(slug=program_slug).first()
    if program is None:
        refuse(request, object_id=program_slug, object_type="programs.Program")
    return program

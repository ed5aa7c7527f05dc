"""Who an evaluation is about: a program, some of its cycles, a range of referral dates
and how far they got.

Three sets of enrolments, each a queryset (no rows are read here):

- `all_enrolments`: every enrolment record of the cohort, whatever her consent or her
  eligibility: what reach counts (referrals in, intakes).
- `enrolled_enrolments`: those counted as enrolled, i.e. all of them except women found
  not eligible (she was referred and assessed, never enrolled). Whatever her consent to
  the research: counting her in "enrolled" says nothing about her. Costs divide by this.
- `evaluation_enrolments`: the enrolled women whose consent to the evaluation research is
  in force today. Only they count in outcomes and exports; a woman who withdraws that
  consent drops out of every figure from the day of withdrawal.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from doorway.enrolments.models import Eligibility, Enrolment
from doorway.people.models import ConsentKind, Participant
from doorway.programs.models import Cycle, Program

# Counted as enrolled: everyone referred in, except women found not eligible.
ENROLLED = ~Q(eligibility=Eligibility.NOT_ELIGIBLE)


@dataclass(frozen=True)
class Cohort:
    program: Program
    cycles: tuple[Cycle, ...] = ()  # empty = all cycles of the program
    enrolled_from: date | None = None  # referred_on range, inclusive
    enrolled_to: date | None = None
    phase_reached: int | None = None  # minimum phase order reached
    # Outcomes always use consenting women only; counts like "enrolled" use everyone.

    def describe(self) -> str:
        """The cohort in words, for the top of a report."""
        parts = [self.program.name]
        if self.cycles:
            parts.append(
                _("cycles %(cycles)s") % {"cycles": ", ".join(c.name for c in self.cycles)}
            )
        else:
            parts.append(_("all cycles"))
        if self.enrolled_from and self.enrolled_to:
            parts.append(
                _("referred %(start)s to %(end)s")
                % {"start": f"{self.enrolled_from:%Y-%m-%d}", "end": f"{self.enrolled_to:%Y-%m-%d}"}
            )
        elif self.enrolled_from:
            parts.append(
                _("referred on or after %(day)s") % {"day": f"{self.enrolled_from:%Y-%m-%d}"}
            )
        elif self.enrolled_to:
            parts.append(
                _("referred on or before %(day)s") % {"day": f"{self.enrolled_to:%Y-%m-%d}"}
            )
        if self.phase_reached is not None:
            name = (
                self.program.phases.filter(order=self.phase_reached)
                .values_list("name", flat=True)
                .first()
            )
            if name:
                parts.append(_("reached %(phase)s or later") % {"phase": name})
            else:
                parts.append(
                    _("reached phase %(number)s or later") % {"number": self.phase_reached}
                )
        return "; ".join(parts)

    def as_dict(self) -> dict[str, object]:
        return {
            "description": self.describe(),
            "cycles": [c.name for c in self.cycles],
            "enrolled_from": self.enrolled_from.isoformat() if self.enrolled_from else None,
            "enrolled_to": self.enrolled_to.isoformat() if self.enrolled_to else None,
            "phase_reached": self.phase_reached,
        }


def all_enrolments(cohort: Cohort) -> QuerySet[Enrolment]:
    """Every enrolment record in the cohort, consented or not, eligible or not."""
    enrolments = Enrolment.objects.filter(cycle__program=cohort.program)
    if cohort.cycles:
        enrolments = enrolments.filter(cycle__in=[c.pk for c in cohort.cycles])
    if cohort.enrolled_from is not None:
        enrolments = enrolments.filter(referred_on__gte=cohort.enrolled_from)
    if cohort.enrolled_to is not None:
        enrolments = enrolments.filter(referred_on__lte=cohort.enrolled_to)
    if cohort.phase_reached is not None:
        # Phases only move forward (a reopening keeps her phase), so the phase she is in,
        # or left from, is the furthest she reached.
        enrolments = enrolments.filter(current_phase__order__gte=cohort.phase_reached)
    return enrolments


def enrolled_enrolments(cohort: Cohort) -> QuerySet[Enrolment]:
    """Everyone counted as enrolled in the cohort (not-eligible referrals left out)."""
    return all_enrolments(cohort).filter(ENROLLED)


def evaluation_enrolments(cohort: Cohort, on: datetime.date | None = None) -> QuerySet[Enrolment]:
    """The enrolled women in the cohort whose evaluation consent is in force (today, or
    `on`)."""
    consenting = Participant.objects.consented_to(ConsentKind.EVALUATION, on)
    return enrolled_enrolments(cohort).filter(participant__in=consenting.values("pk"))

"""The yearly partner agency survey: recording a partner's answer, and the summary
(partners surveyed per year, the share reporting a positive working relationship, the
benefits they saw counted, their comments).

About the partnership, never about a participant. Who: the agency's program managers
and evaluators, for the agency's own partners.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.evaluation.models import PartnerSurveyResponse, Relationship
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may
from doorway.people.models import User
from doorway.programs.models import PartnerAgency

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone

# The benefits the survey asks about; partners can add their own as well.
BENEFITS = [
    ("faster_access", gettext_lazy("Faster access to our services for the women referred")),
    ("better_referrals", gettext_lazy("Better-prepared referrals")),
    ("fewer_lost", gettext_lazy("Fewer women lost between services")),
    ("shared_knowledge", gettext_lazy("Shared knowledge and training")),
    ("understanding", gettext_lazy("Better understanding of women leaving sex work")),
    ("joint_planning", gettext_lazy("Joint planning and advocacy")),
]
BENEFIT_LABELS = dict(BENEFITS)
FIELDS = ("partner", "year", "relationship", "benefits", "comments")
FIRST_YEAR = 2000


def surveys_partners(user: Someone) -> bool:
    return may(user, Can.SEE_EVALUATION)


def partners_of(user: Someone) -> QuerySet[PartnerAgency]:
    if not isinstance(user, User) or not surveys_partners(user) or user.agency_id is None:
        return PartnerAgency.objects.none()
    return PartnerAgency.objects.filter(agency_id=user.agency_id)


def benefit_label(benefit: str) -> str:
    return str(BENEFIT_LABELS.get(benefit, benefit))


@transaction.atomic
def record_response(
    *,
    by: User,
    partner: PartnerAgency | None,
    year: int | None,
    relationship: str,
    benefits: Iterable[str] = (),
    comments: str = "",
) -> PartnerSurveyResponse:
    """Record one partner's answer for one year. The benefits are the codes of
    `BENEFITS` and, for others they name, their own short words."""
    if not surveys_partners(by):
        raise PermissionDenied(_("Program managers and evaluators record the partner survey."))
    errors: dict[str, str] = {}
    if partner is None or partner.agency_id != by.agency_id:
        errors["partner"] = _("Choose one of your agency's partners.")
    this_year = timezone.localdate().year
    if year is None or not FIRST_YEAR <= year <= this_year:
        errors["year"] = _("Give a year from %(first)s to %(last)s.") % {
            "first": FIRST_YEAR,
            "last": this_year,
        }
    elif (
        partner is not None
        and PartnerSurveyResponse.objects.filter(partner=partner, year=year).exists()
    ):
        errors["year"] = _("This partner's answer for that year is already recorded.")
    if relationship not in Relationship.values:
        errors["relationship"] = _("Choose how they rate the working relationship.")
    if errors:
        raise ValidationError(errors)
    assert partner is not None
    assert year is not None
    # Each benefit once, in the order given.
    chosen = list(dict.fromkeys(b.strip() for b in benefits if b and b.strip()))
    response = PartnerSurveyResponse.objects.create(
        partner=partner,
        year=year,
        relationship=relationship,
        benefits=chosen,
        comments=comments.strip(),
    )
    record(Action.CREATE, actor=by, subject=response, detail={"fields": list(FIELDS)})
    return response


@dataclass
class YearSummary:
    year: int
    surveyed: int = 0
    positive: int = 0
    relationships: Counter[str] = field(default_factory=Counter)
    benefits: Counter[str] = field(default_factory=Counter)
    comments: list[tuple[str, str]] = field(default_factory=list)

    @property
    def percent_positive(self) -> int | None:
        return round(100 * self.positive / self.surveyed) if self.surveyed else None

    def relationship_rows(self) -> list[tuple[str, int]]:
        return [(str(label), self.relationships[value]) for value, label in Relationship.choices]

    def benefit_rows(self) -> list[tuple[str, int]]:
        return [(benefit_label(b), n) for b, n in self.benefits.most_common()]


def summary(partners: QuerySet[PartnerAgency]) -> list[YearSummary]:
    """One summary per year, newest first, in one query."""
    years: dict[int, YearSummary] = {}
    responses = PartnerSurveyResponse.objects.filter(partner__in=partners).select_related("partner")
    for response in responses:
        year = years.setdefault(response.year, YearSummary(response.year))
        year.surveyed += 1
        year.positive += response.is_positive
        year.relationships[response.relationship] += 1
        year.benefits.update(response.benefits)
        if response.comments:
            year.comments.append((response.partner.name, response.comments))
    return [years[y] for y in sorted(years, reverse=True)]

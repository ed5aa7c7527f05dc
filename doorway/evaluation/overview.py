"""What the evaluation's first page says before anything else, in plain words: for each
focus area, how many of the women assessed improved, with who could not be assessed;
how many women were referred, enrolled and in the research; and where the contribution
story stands.

The figures are the report's own (`report.evaluation_report`, published through
`disclosure` for someone who does not see exact figures), the same cells the outcome
tables show: nothing here counts anyone, so nothing here can be read against them.
The contribution story's standing is the evaluator's ratings of the theory's links,
as recorded (`ChangeLink.rating`); none is made up when none is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from doorway.evaluation.charts import percent
from doorway.evaluation.models import ChangeLink, EvidenceRating
from doorway.programs.models import Program

# A published count too small to give ("<5") still reads as several women.
SEVERAL = 5


def _how_many(value: Any) -> int:
    """The number a sentence agrees with: the count, or several for "<5"."""
    return value if isinstance(value, int) else SEVERAL


@dataclass(frozen=True)
class Headline:
    """One focus area's answer: "18 of the 30 women assessed improved (60%)", and who
    is not in it."""

    area: str
    answer: str
    share: str
    not_assessed: str


def focus_area_headlines(report: dict[str, Any]) -> list[Headline]:
    found = []
    for a in report.get("focus_areas") or []:
        assessed, progressed = a.get("assessed"), a.get("progressed")
        missing = a.get("missing") or {}
        answer = ngettext(
            "%(progressed)s of the %(assessed)s woman assessed improved",
            "%(progressed)s of the %(assessed)s women assessed improved",
            _how_many(assessed),
        ) % {"progressed": progressed, "assessed": assessed}
        not_assessed = _(
            "Not assessed: %(no_baseline)s without a baseline rating, %(no_later)s without "
            "a later one."
        ) % {
            "no_baseline": missing.get("no_baseline", 0),
            "no_later": missing.get("no_later", 0),
        }
        found.append(Headline(str(a["area"]), answer, percent(progressed, assessed), not_assessed))
    return found


def participants_line(report: dict[str, Any]) -> str:
    """Referred, enrolled, in the research: the denominators of everything below."""
    people = report.get("participants") or {}
    return _(
        "Referred: %(referred)s. Enrolled: %(enrolled)s. Consented to the evaluation "
        "research (the women the outcomes count): %(evaluation)s."
    ) % {
        "referred": people.get("referred", ""),
        "enrolled": people.get("enrolled", ""),
        "evaluation": people.get("evaluation", ""),
    }


@dataclass(frozen=True)
class StoryStanding:
    """Where the contribution story stands: `links` in the theory of change, how many
    the evaluator rated at each strength, how many not yet."""

    links: int
    rated: dict[str, int]
    not_rated: int

    @property
    def has_theory(self) -> bool:
        return self.links > 0

    @property
    def has_verdict(self) -> bool:
        return self.links > self.not_rated

    def sentence(self) -> str:
        if not self.has_theory:
            return _(
                "No theory of change is recorded for this program yet, so there is no "
                "contribution story to judge."
            )
        if not self.has_verdict:
            return ngettext(
                "No verdict is recorded yet: the one link of the theory of change has not "
                "been rated.",
                "No verdict is recorded yet: none of the %(links)s links of the theory of "
                "change has been rated.",
                self.links,
            ) % {"links": self.links}
        rated = "; ".join(
            f"{label.lower()} {n}" for label, n in self.rated.items() if n
        )  # "strong 2; moderate 1"
        return ngettext(
            "The evaluator's verdict on the %(links)s link of the theory of change, by "
            "strength of evidence: %(rated)s; not yet rated: %(not_rated)s.",
            "The evaluator's verdict on the %(links)s links of the theory of change, by "
            "strength of evidence: %(rated)s; not yet rated: %(not_rated)s.",
            self.links,
        ) % {"links": self.links, "rated": rated, "not_rated": self.not_rated}


def story_standing(program: Program) -> StoryStanding:
    """One query: the program's links counted by the rating recorded on each."""
    counts = ChangeLink.objects.filter(program=program).aggregate(
        links=Count("pk"),
        **{
            f"rated_{value}": Count("pk", filter=Q(rating=value)) for value in EvidenceRating.values
        },
    )
    rated = {str(label): counts[f"rated_{value}"] for value, label in EvidenceRating.choices}
    links = counts["links"]
    return StoryStanding(links, rated, links - sum(rated.values()))

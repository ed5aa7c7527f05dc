"""The program's theory of change and the contribution story assembled from it.

- Steps (activities → outputs → immediate, intermediate, long-term outcomes) and the
  links between them, each with its assumptions, risks and alternative explanations.
- Each link's evidence: indicators computed live from the records (`INDICATORS`, counts
  over consenting women only, never a row about one of them), interview excerpts coded
  to the program's key ingredients, and literature references. The evaluator rates it.
- `contribution_story(program)` follows Mayne's six steps of contribution analysis and
  flags, link by link, where the evidence is weak or missing.

Who: the program's managers and evaluators (`permissions.evaluated_programs`) read and edit;
every action checks it again, writes and audits in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy
from django_stubs_ext import StrOrPromise

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.dropins.models import Attendance, SessionKind
from doorway.encryption import blind_index, normalise
from doorway.enrolments.models import Enrolment, ExitReason
from doorway.evaluation.cohort import Cohort, evaluation_enrolments
from doorway.evaluation.models import (
    STEP_ORDER,
    ChangeLink,
    ChangeStep,
    EvidenceRating,
    InterviewExcerpt,
    LinkIndicator,
    Reference,
    StepKind,
)
from doorway.evaluation.numbers import decimal, percentage
from doorway.evaluation.outcomes import area_counts, progress
from doorway.evaluation.permissions import evaluated_programs
from doorway.instruments.models import Answer, Timepoint
from doorway.people.models import NameDigest, User
from doorway.programs.models import FocusArea, KeyIngredient, Program
from doorway.referrals.models import ReferralStatus, ReferralUpdate

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone

# --- Who ------------------------------------------------------------------------------


def edits_theory(user: Someone, program: Program) -> bool:
    """Her program's managers and evaluators read and edit its theory of change."""
    return evaluated_programs(user).filter(pk=program.pk).exists()


def _check_editor(by: User, program: Program) -> None:
    if not edits_theory(by, program):
        raise PermissionDenied(
            gettext("Only the program's managers and evaluators edit its theory.")
        )


# --- Indicators: computed live, de-identified counts ----------------------------------


@dataclass(frozen=True)
class Figure:
    """An indicator's value: a count, or a share with its numerator and denominator, or
    a rate per participant. Only counts: nothing about one woman."""

    numerator: int
    denominator: int | None = None
    per_participant: bool = False

    @property
    def has_data(self) -> bool:
        return bool(self.denominator) if self.denominator is not None else self.numerator > 0

    def __str__(self) -> str:
        if self.denominator is None:
            return str(self.numerator)
        if not self.denominator:
            return gettext("no data")
        if self.per_participant:
            return gettext("%(rate)s (%(count)s for %(women)s)") % {
                "rate": decimal(self.numerator / self.denominator, 1),
                "count": self.numerator,
                "women": self.denominator,
            }
        share = percentage(round(100 * self.numerator / self.denominator))
        return gettext("%(count)s of %(total)s (%(share)s)") % {
            "count": self.numerator,
            "total": self.denominator,
            "share": share,
        }


@dataclass(frozen=True)
class Indicator:
    slug: str
    name: StrOrPromise
    definition: StrOrPromise
    compute: Callable[[Program], Figure]


def consenting(program: Program) -> QuerySet[Enrolment]:
    """The program's enrolled women whose evaluation consent is in force today."""
    return evaluation_enrolments(Cohort(program))


def progressed_in(program: Program, area_slug: str) -> Figure:
    """Of the consenting women assessed in the area, those who progressed: the outcome
    tables' own pairs and counts (`outcomes.area_counts`). Two queries."""
    areas = FocusArea.objects.filter(program=program, slug=area_slug)
    counts = next(iter(area_counts(progress(consenting(program), areas)).values()), None)
    if counts is None:
        return Figure(0, 0)
    return Figure(counts.progressed, counts.assessed)


def dropin_attendance(program: Program) -> Figure:
    """Drop-in attendances of consenting women, per consenting woman."""
    women = consenting(program)
    attendances = Attendance.objects.filter(
        enrolment__in=women.values("pk"), session__kind=SessionKind.DROP_IN
    ).count()
    return Figure(attendances, women.count(), per_participant=True)


def referrals_completed(program: Program) -> Figure:
    """Referrals of consenting women in which she received the service."""
    women = consenting(program).values("pk")
    from doorway.referrals.models import Referral

    referrals = Referral.objects.filter(enrolment__in=women)
    served = referrals.filter(
        Q(status=ReferralStatus.SERVICE_RECEIVED)
        | Q(
            pk__in=ReferralUpdate.objects.filter(status=ReferralStatus.SERVICE_RECEIVED).values(
                "referral"
            )
        )
    )
    return Figure(served.count(), referrals.count())


def graduated(program: Program) -> Figure:
    """Consenting women who graduated, of those whose enrolment has ended."""
    ended = consenting(program).exclude(exit_reason="")
    return Figure(ended.filter(exit_reason=ExitReason.GRADUATED).count(), ended.count())


INVOLVEMENT_ITEM = "sex_work_involvement"


def not_involved_at_follow_up(program: Program) -> Figure:
    """Of the consenting women followed up one month after graduation, those not
    involved in sex work at all."""
    answers = (
        Answer.objects.filter(
            administration__enrolment__in=consenting(program).values("pk"),
            administration__timepoint=Timepoint.FOLLOW_UP,
            item__code=INVOLVEMENT_ITEM,
        )
        .order_by("administration__completed_on", "administration__recorded_at")
        .values_list("administration__enrolment_id", "choices")
    )
    last: dict[Any, list[str]] = {}
    for enrolment_id, choices in answers:
        last[enrolment_id] = list(choices or [])
    return Figure(sum(1 for c in last.values() if "not_at_all" in c), len(last))


def ingredient_counts(program: Program) -> dict[str, int]:
    """Contacts tagged with each of the program's key ingredients, consenting women
    only, in one query. Every ingredient is listed, with 0 when untagged."""
    women = consenting(program).values("pk")
    rows = KeyIngredient.objects.filter(program=program).annotate(
        tagged=Count("contacts", filter=Q(contacts__enrolment__in=women), distinct=True)
    )
    return {row.slug: row.tagged for row in rows}


def _tagged(slug: str) -> Callable[[Program], Figure]:
    def compute(program: Program) -> Figure:
        return Figure(ingredient_counts(program).get(slug, 0))

    return compute


def _progressed(slug: str) -> Callable[[Program], Figure]:
    return lambda program: progressed_in(program, slug)


FIXED_INDICATORS = [
    Indicator(
        "dropin-attendance",
        gettext_lazy("Drop-in attendances per participant"),
        gettext_lazy("Weekly drop-in attendances of consenting women, divided by their number."),
        dropin_attendance,
    ),
    Indicator(
        "referrals-completed",
        gettext_lazy("Referrals completed"),
        gettext_lazy(
            "Referrals of consenting women in which she received the service, of all made."
        ),
        referrals_completed,
    ),
    Indicator(
        "graduated",
        gettext_lazy("Graduated"),
        gettext_lazy("Consenting women who graduated, of those whose enrolment has ended."),
        graduated,
    ),
    Indicator(
        "not-involved-at-follow-up",
        gettext_lazy("Not involved in sex work at follow-up"),
        gettext_lazy(
            "Of consenting women followed up one month after graduation, those not involved at all."
        ),
        not_involved_at_follow_up,
    ),
]


def indicators_for(program: Program) -> dict[str, Indicator]:
    """The registry for one program: the fixed indicators, progress in each of its focus
    areas, and contacts tagged with each of its key ingredients."""
    found = {i.slug: i for i in FIXED_INDICATORS}
    for area in program.active_focus_areas():
        slug = f"progressed-{area.slug}"
        found[slug] = Indicator(
            slug,
            gettext("Share progressed in %(area)s") % {"area": area.local_name.lower()},
            gettext(
                "Consenting women whose latest rating in %(area)s is above their "
                "baseline, of those with both."
            )
            % {"area": area.local_name.lower()},
            _progressed(area.slug),
        )
    for ingredient in KeyIngredient.objects.filter(program=program):
        slug = f"tagged-{ingredient.slug}"
        found[slug] = Indicator(
            slug,
            gettext("Contacts tagged %(ingredient)s") % {"ingredient": ingredient.name.lower()},
            gettext("Contacts with consenting women that the care team tagged %(ingredient)s.")
            % {"ingredient": ingredient.name.lower()},
            _tagged(ingredient.slug),
        )
    return found


# --- Actions --------------------------------------------------------------------------

STEP_FIELDS = ("kind", "title", "description", "order")
LINK_FIELDS = ("source", "target", "assumptions", "risks", "alternative_explanations")


def _audit(action: Action, by: User, subject: Any, fields: Iterable[str]) -> None:
    record(action, actor=by, subject=subject, detail={"fields": list(fields)})


def _unique_key(program: Program, title: str) -> str:
    base = slugify(title)[:70] or "step"
    key, n = base, 1
    while ChangeStep.objects.filter(program=program, key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


def _check_step(kind: str, title: str) -> None:
    errors = {}
    if kind not in StepKind.values:
        errors["kind"] = gettext("Choose what kind of step this is.")
    if not title.strip():
        errors["title"] = gettext("Give the step a title.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_step(
    program: Program,
    *,
    by: User,
    kind: str,
    title: str,
    description: str = "",
    order: int = 0,
    key: str = "",
) -> ChangeStep:
    _check_editor(by, program)
    _check_step(kind, title)
    step = ChangeStep.objects.create(
        program=program,
        kind=kind,
        key=key or _unique_key(program, title),
        title=title.strip(),
        description=description.strip(),
        order=order,
    )
    _audit(Action.CREATE, by, step, STEP_FIELDS)
    return step


@transaction.atomic
def edit_step(step: ChangeStep, *, by: User, **changes: Any) -> ChangeStep:
    _check_editor(by, step.program)
    values = {name: changes.get(name, getattr(step, name)) for name in STEP_FIELDS}
    _check_step(values["kind"], values["title"])
    errors = {}
    for link in step.links_out.select_related("target"):
        if link.target.rank < STEP_ORDER[values["kind"]]:
            errors["kind"] = gettext("It leads to “%(step)s”, an earlier kind of step.") % {
                "step": link.target
            }
    for link in step.links_in.select_related("source"):
        if link.source.rank > STEP_ORDER[values["kind"]]:
            errors["kind"] = gettext("“%(step)s”, a later kind of step, leads to it.") % {
                "step": link.source
            }
    if errors:
        raise ValidationError(errors)
    changed = [name for name in STEP_FIELDS if values[name] != getattr(step, name)]
    for name in changed:
        setattr(step, name, values[name])
    if changed:
        step.save()
        _audit(Action.CHANGE, by, step, changed)
    return step


def _check_link(
    program: Program, source: ChangeStep | None, target: ChangeStep | None, link: Any = None
) -> None:
    errors = {}
    if source is None or source.program_id != program.pk:
        errors["source"] = gettext("Choose a step of this program's theory.")
    if target is None or target.program_id != program.pk:
        errors["target"] = gettext("Choose a step of this program's theory.")
    if not errors:
        assert source is not None
        assert target is not None
        if source.pk == target.pk:
            errors["target"] = gettext("A step cannot lead to itself.")
        elif target.rank < source.rank:
            errors["target"] = gettext(
                "A step of the kind “%(kind)s” leads to a step of the same or a "
                "later kind, not back to an earlier one."
            ) % {"kind": source.get_kind_display().lower()}
        elif (
            ChangeLink.objects.filter(source=source, target=target)
            .exclude(pk__in=[link.pk] if link is not None else [])
            .exists()
        ):
            errors["target"] = gettext("These two steps are already linked.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_link(
    program: Program,
    *,
    by: User,
    source: ChangeStep | None,
    target: ChangeStep | None,
    assumptions: str = "",
    risks: str = "",
    alternative_explanations: str = "",
) -> ChangeLink:
    _check_editor(by, program)
    _check_link(program, source, target)
    assert source is not None
    assert target is not None
    link = ChangeLink.objects.create(
        program=program,
        source=source,
        target=target,
        assumptions=assumptions.strip(),
        risks=risks.strip(),
        alternative_explanations=alternative_explanations.strip(),
    )
    _audit(Action.CREATE, by, link, LINK_FIELDS)
    return link


@transaction.atomic
def edit_link(link: ChangeLink, *, by: User, **changes: Any) -> ChangeLink:
    _check_editor(by, link.program)
    values = {name: changes.get(name, getattr(link, name)) for name in LINK_FIELDS}
    for name in ("assumptions", "risks", "alternative_explanations"):
        values[name] = (values[name] or "").strip()
    _check_link(link.program, values["source"], values["target"], link)
    changed = [name for name in LINK_FIELDS if values[name] != getattr(link, name)]
    for name in changed:
        setattr(link, name, values[name])
    if changed:
        link.save()
        _audit(Action.CHANGE, by, link, changed)
    return link


@transaction.atomic
def rate_link(link: ChangeLink, *, by: User, rating: str, note: str) -> ChangeLink:
    """The evaluator's judgement of the link's evidence, with her reasons."""
    _check_editor(by, link.program)
    errors = {}
    if rating not in EvidenceRating.values:
        errors["rating"] = gettext("Choose how strong the evidence is.")
    if not note.strip():
        errors["rating_note"] = gettext("Say why: what the evidence shows and what it lacks.")
    if errors:
        raise ValidationError(errors)
    link.rating, link.rating_note = rating, note.strip()
    link.rated_by, link.rated_at = by, timezone.now()
    link.save()
    _audit(Action.CHANGE, by, link, ["rating", "rating_note"])
    return link


@transaction.atomic
def add_indicator(link: ChangeLink, *, by: User, indicator: str, note: str = "") -> LinkIndicator:
    _check_editor(by, link.program)
    if indicator not in indicators_for(link.program):
        raise ValidationError(
            {"indicator": gettext("Choose one of the indicators Doorway computes.")}
        )
    if link.indicators.filter(indicator=indicator).exists():
        raise ValidationError({"indicator": gettext("This link already carries that indicator.")})
    row = LinkIndicator.objects.create(link=link, indicator=indicator, note=note.strip())
    _audit(Action.CREATE, by, row, ["indicator", "note"])
    return row


@transaction.atomic
def remove_indicator(row: LinkIndicator, *, by: User) -> None:
    _check_editor(by, row.link.program)
    _audit(Action.CHANGE, by, row.link, ["indicators"])
    row.delete()


# Capitalised words: names are written that way. Checked against the blind index of
# the names of the agency's participants, without saying which word matched (that
# would tell an evaluator the name of a woman in the program).
APOSTROPHES = "'\u2019"
WORD = re.compile(rf"\b[^\W\d_][\w{APOSTROPHES}-]*\b")


def names_a_participant(text: str, program: Program) -> bool:
    words: set[str] = set()
    for token in WORD.findall(text):
        if token[:1].isupper():
            # "Mary-Ann" is indexed whole; "Rosa's" as "Rosa".
            words.update(w for w in [token, *re.split(rf"[-{APOSTROPHES}]", token)] if normalise(w))
    if not words:
        return False
    digests = {blind_index(w) for w in words}
    return NameDigest.objects.filter(
        digest__in=digests, participant__agency_id=program.agency_id
    ).exists()


def _check_excerpt(
    program: Program, by: User, interviewee: str, text: str, mechanisms: list[KeyIngredient]
) -> None:
    """Called before the write's transaction: a refusal for a participant's name is
    audited, and must not be rolled back with the write. The check answers "some word
    here is a participant's name", so repeated refusals are how someone would probe for
    who is in the program: the audit log shows them (never the text)."""
    from doorway.evaluation.models import Interviewee

    errors = {}
    if interviewee not in Interviewee.values:
        errors["interviewee"] = gettext("Say who was interviewed.")
    if not text.strip():
        errors["text"] = gettext("Give the excerpt.")
    elif names_a_participant(text, program):
        record(
            Action.REFUSED,
            actor=by,
            subject=program,
            detail={"object_type": "evaluation.InterviewExcerpt", "refused": "participant_name"},
        )
        errors["text"] = gettext(
            "The excerpt contains a word that is the name of a participant. Take every "
            "participant's name out (write “a participant” or “she”)."
        )
    if any(m.program_id != program.pk for m in mechanisms):
        errors["mechanisms"] = gettext("Choose key ingredients of this program only.")
    if errors:
        raise ValidationError(errors)


EXCERPT_FIELDS = ("interviewee", "interviewed_on", "text", "mechanisms")


def add_excerpt(
    link: ChangeLink,
    *,
    by: User,
    interviewee: str,
    text: str,
    interviewed_on: Any = None,
    mechanisms: Iterable[KeyIngredient] = (),
) -> InterviewExcerpt:
    _check_editor(by, link.program)
    mechanisms = list(mechanisms)
    _check_excerpt(link.program, by, interviewee, text, mechanisms)
    with transaction.atomic():
        excerpt = InterviewExcerpt.objects.create(
            link=link,
            interviewee=interviewee,
            interviewed_on=interviewed_on,
            text=text.strip(),
            recorded_by=by,
        )
        excerpt.mechanisms.set(mechanisms)
        _audit(Action.CREATE, by, excerpt, EXCERPT_FIELDS)
    return excerpt


def edit_excerpt(excerpt: InterviewExcerpt, *, by: User, **changes: Any) -> InterviewExcerpt:
    program = excerpt.link.program
    _check_editor(by, program)
    current = list(excerpt.mechanisms.all())
    values = {
        "interviewee": excerpt.interviewee,
        "interviewed_on": excerpt.interviewed_on,
        "text": excerpt.text,
        "mechanisms": current,
        **changes,
    }
    values["mechanisms"] = list(values["mechanisms"])
    values["text"] = (values["text"] or "").strip()
    _check_excerpt(program, by, values["interviewee"], values["text"], values["mechanisms"])
    changed = [
        name
        for name in EXCERPT_FIELDS
        if (
            {m.pk for m in values[name]} != {m.pk for m in current}
            if name == "mechanisms"
            else values[name] != getattr(excerpt, name)
        )
    ]
    if changed:
        with transaction.atomic():
            for name in ("interviewee", "interviewed_on", "text"):
                setattr(excerpt, name, values[name])
            excerpt.save()
            excerpt.mechanisms.set(values["mechanisms"])
            _audit(Action.CHANGE, by, excerpt, changed)
    return excerpt


REFERENCE_FIELDS = ("citation", "url", "note")


def _check_reference(citation: str) -> None:
    if not citation.strip():
        raise ValidationError(
            {"citation": gettext("Give the citation: authors, year, title, where.")}
        )


@transaction.atomic
def add_reference(
    link: ChangeLink, *, by: User, citation: str, url: str = "", note: str = ""
) -> Reference:
    _check_editor(by, link.program)
    _check_reference(citation)
    ref = Reference.objects.create(
        link=link, citation=citation.strip(), url=url.strip(), note=note.strip()
    )
    _audit(Action.CREATE, by, ref, REFERENCE_FIELDS)
    return ref


@transaction.atomic
def edit_reference(ref: Reference, *, by: User, **changes: Any) -> Reference:
    _check_editor(by, ref.link.program)
    values = {
        name: (changes.get(name, getattr(ref, name)) or "").strip() for name in REFERENCE_FIELDS
    }
    _check_reference(values["citation"])
    changed = [name for name in REFERENCE_FIELDS if values[name] != getattr(ref, name)]
    if changed:
        for name in changed:
            setattr(ref, name, values[name])
        ref.save()
        _audit(Action.CHANGE, by, ref, changed)
    return ref


@transaction.atomic
def install_template(program: Program, *, by: User) -> None:
    """Add Exit Doors Here's theory of change to the program (only what is missing)."""
    from doorway.evaluation import exit_doors_here

    _check_editor(by, program)
    before = ChangeStep.objects.filter(program=program).count()
    exit_doors_here.install(program)
    record(
        Action.CREATE,
        actor=by,
        subject=program,
        detail={"theory_template": "exit-doors-here", "steps_before": before},
    )


# --- Reading the theory ---------------------------------------------------------------


def steps_of(program: Program) -> list[ChangeStep]:
    """The steps in reading order (kind, then order), each with `outgoing` links."""
    steps = list(ChangeStep.objects.filter(program=program))
    links = links_of(program)
    by_source: dict[Any, list[ChangeLink]] = {}
    for link in links:
        by_source.setdefault(link.source_id, []).append(link)
    for step in steps:
        step.outgoing = by_source.get(step.pk, [])  # type: ignore[attr-defined]  # an attribute of ours on the step: its links out, for the template
    steps.sort(key=lambda s: (s.rank, s.order, s.title))
    return steps


def links_of(program: Program) -> list[ChangeLink]:
    """Every link with its evidence, in a fixed number of queries."""
    return list(
        ChangeLink.objects.filter(program=program)
        .select_related("source", "target", "rated_by")
        .prefetch_related("indicators", "excerpts__mechanisms", "references")
        .order_by("source__order", "target__order")
    )


HEADINGS = {
    StepKind.ACTIVITY: gettext_lazy("Activities"),
    StepKind.OUTPUT: gettext_lazy("Outputs"),
    StepKind.IMMEDIATE: gettext_lazy("Immediate outcomes"),
    StepKind.INTERMEDIATE: gettext_lazy("Intermediate outcomes"),
    StepKind.LONG_TERM: gettext_lazy("Long-term outcomes"),
}


def grouped_steps(steps: list[ChangeStep]) -> list[tuple[str, list[ChangeStep]]]:
    """Steps under their kind's heading, in reading order."""
    return [
        (str(HEADINGS[StepKind(kind)]), [s for s in steps if s.kind == kind])
        for kind in StepKind.values
        if any(s.kind == kind for s in steps)
    ]


# --- The contribution story (Mayne's six steps) ---------------------------------------


@dataclass
class LinkEvidence:
    link: ChangeLink
    figures: list[tuple[Indicator | None, LinkIndicator, Figure | None]]
    flags: list[str] = field(default_factory=list)
    # False for someone who does not reach the women's records (an evaluator): the
    # indicators are named, their values not computed (`contribution_story`).
    exact: bool = True

    @property
    def weak(self) -> bool:
        return bool(self.flags)

    @property
    def needs(self) -> list[str]:
        """What evidence to seek (step 5)."""
        needs = []
        if not self.exact:
            if not self.figures:
                needs.append(gettext("an indicator from the records"))
        elif not any(f is not None and f.has_data for _, _, f in self.figures):
            needs.append(gettext("an indicator from the records, with data"))
        if not self.link.excerpts.all():
            needs.append(gettext("interviews with staff or peer mentors on how this step works"))
        if not self.link.references.all():
            needs.append(gettext("published evidence that this step leads to the next elsewhere"))
        return needs


def link_evidence(
    link: ChangeLink, registry: dict[str, Indicator], *, exact: bool = True
) -> LinkEvidence:
    """The link's evidence. `exact` False: its indicators are named but not computed."""
    figures: list[tuple[Indicator | None, LinkIndicator, Figure | None]] = []
    for row in link.indicators.all():
        indicator = registry.get(row.indicator)
        value = indicator.compute(link.program) if indicator and exact else None
        figures.append((indicator, row, value))
    evidence = LinkEvidence(link, figures, exact=exact)
    link.evidence = evidence  # type: ignore[attr-defined]  # for the templates
    flags = evidence.flags
    if not link.rating:
        flags.append(gettext("Not rated yet"))
    elif link.rating in (EvidenceRating.WEAK, EvidenceRating.NONE):
        flags.append(
            gettext("Evidence rated %(rating)s") % {"rating": link.get_rating_display().lower()}
        )
    if not (figures or link.excerpts.all() or link.references.all()):
        flags.append(gettext("No evidence attached"))
    elif exact and figures and not any(f is not None and f.has_data for _, _, f in figures):
        flags.append(gettext("Its indicators have no data yet"))
    if not link.assumptions:
        flags.append(gettext("No assumptions written"))
    if not link.risks:
        flags.append(gettext("No risks written"))
    if not link.alternative_explanations:
        flags.append(gettext("No alternative explanations considered"))
    return evidence


def contribution_story(program: Program, *, exact: bool = True) -> dict[str, Any]:
    """The six steps of contribution analysis (Mayne 2001, 2008), assembled from the
    theory's data. Each link appears with its evidence and what is weak or missing.

    `exact` False (someone without exact-figure rights, `permissions.sees_exact_figures`):
    no indicator value and no count of tagged contacts. They are live, exact counts
    over every consenting woman; read before and after one woman's follow-up is
    recorded, they would give her answer."""
    steps = steps_of(program)
    registry = indicators_for(program)
    links = [link for step in steps for link in step.outgoing]  # type: ignore[attr-defined]  # set on each step by steps_of
    for link in links:
        link.program = program
    evidence = [link_evidence(link, registry, exact=exact) for link in links]
    targets = {link.target_id for link in links}
    sources = {link.source_id for link in links}
    outcomes = [s for s in steps if s.kind == StepKind.LONG_TERM]
    ratings = {
        str(label): sum(1 for link in links if link.rating == value)
        for value, label in EvidenceRating.choices
    }
    ratings[gettext("Not rated")] = sum(1 for link in links if not link.rating)
    return {
        "program": program,
        # 1. The cause-effect issue to be addressed.
        "outcomes": outcomes,
        "activities": [s for s in steps if s.kind == StepKind.ACTIVITY],
        # The program's own words inside a translated sentence: marked as not to translate.
        "activities_list": format_html(
            '<span translate="no">{}</span>',
            ", ".join(s.title.lower() for s in steps if s.kind == StepKind.ACTIVITY),
        )
        if any(s.kind == StepKind.ACTIVITY for s in steps)
        else "",
        # 2. The postulated theory of change and the risks to it.
        "groups": grouped_steps(steps),
        "unlinked": [
            s
            for s in steps
            if (s.kind != StepKind.ACTIVITY and s.pk not in targets)
            or (s.kind != StepKind.LONG_TERM and s.pk not in sources)
        ],
        # 3. The existing evidence; 4. the story assessed, link by link.
        "evidence": evidence,
        "ratings": ratings,
        "weak": [e for e in evidence if e.weak],
        "strong": [e for e in evidence if not e.weak],
        "exact": exact,
        "ingredients": [
            (ingredient, count if exact else None, ingredient.excerpt_count)
            for ingredient, count in _ingredients_with_excerpts(program)
        ],
        # 5. Additional evidence to seek; 6. revise and strengthen.
        "to_seek": [e for e in evidence if e.needs],
        "to_revise": [
            e
            for e in evidence
            if e.link.rating in (EvidenceRating.WEAK, EvidenceRating.NONE)
            or not e.link.alternative_explanations
        ],
    }


def _ingredients_with_excerpts(program: Program) -> list[tuple[Any, int]]:
    counts = ingredient_counts(program)
    rows = KeyIngredient.objects.filter(program=program).annotate(
        excerpt_count=Count("excerpts", filter=Q(excerpts__link__program=program), distinct=True)
    )
    return [(row, counts.get(row.slug, 0)) for row in rows]

"""Permission-matrix rows for the evaluation (see `doorway.testing.matrix`).

Each part of the evaluation keeps its rows in its own headed block; `setup` and
`snapshot` gather the blocks' own."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.people.capabilities import Action
from doorway.people.models import ConsentKind
from doorway.testing.factories import (
    ConsentFactory,
    EnrolmentFactory,
    ParticipantFactory,
    PartnerFactory,
)
from doorway.testing.matrix import NOT_FOUND, OK, Endpoint, by_capability

ENDPOINTS: list[Endpoint] = []

# ---- Reports and the research export (E5) -------------------------------------------
# The evaluation and the funder report: Eve (evaluator) and Morgan (manager) of the
# program; Olive manages another program (404, audited); every other role never sees an
# evaluation (403). The export: evaluators only.
EVALUATION = by_capability(Action.SEE_EVALUATION, olive=NOT_FOUND)
EVALUATION_HOME = {**EVALUATION, "olive": OK}
EXPORT = by_capability(Action.TAKE_RESEARCH_EXPORT)


def _slug_url(name: str) -> Any:
    return lambda w, x: reverse(name, args=[w.program.slug])


ENDPOINTS += [
    Endpoint(
        "evaluation_home",
        "GET",
        lambda w, x: reverse("evaluation_home"),
        about_her=False,
        roles=EVALUATION_HOME,
    ),
    *(
        Endpoint(name, "GET", _slug_url(name), about_her=False, roles=EVALUATION)
        for name in (
            "evaluation_page",
            "evaluation_outcomes",
            "evaluation_process",
            "evaluation_fidelity",
            "evaluation_costs",
        )
    ),
    # "Count again now": whoever may see the evaluation may ask for it to be counted.
    Endpoint(
        "evaluation_count_again",
        "POST",
        _slug_url("evaluation_count_again"),
        lambda w, x: {"section": "outcomes"},
        about_her=False,
        roles=EVALUATION,
    ),
    Endpoint("funder_report", "GET", _slug_url("funder_report"), about_her=False, roles=EVALUATION),
    Endpoint(
        "funder_report_pdf",
        "GET",
        _slug_url("funder_report_pdf"),
        about_her=False,
        roles=EVALUATION,
    ),
    Endpoint("research_export", "GET", _slug_url("research_export"), about_her=False, roles=EXPORT),
    Endpoint(
        "research_export",
        "POST",
        _slug_url("research_export"),
        lambda w, x: {"reason": "Yearly outcome analysis"},
        about_her=False,
        roles=EXPORT,
    ),
]


def _setup_reports(world: Any) -> dict[str, Any]:
    """As many women on Bianca's caseload who consented to the research as a cycle
    needs before an evaluator sees it (`disclosure.MINIMUM_COHORT`): with fewer, the
    evaluation and the export would say the cycle is too small instead."""
    from doorway.evaluation.disclosure import MINIMUM_COHORT

    for i in range(MINIMUM_COHORT):
        person = ParticipantFactory(
            preferred_name=f"Matrix{i}", agency=world.agency, registered_by=world.bianca
        )
        ConsentFactory(participant=person, recorded_by=world.bianca)
        ConsentFactory(participant=person, kind=ConsentKind.EVALUATION, recorded_by=world.bianca)
        EnrolmentFactory(
            participant=person, cycle=world.rosa_enrolment.cycle, case_manager=world.bianca
        )
    return {}


def _snapshot_reports(world: Any) -> tuple[object, ...]:
    return (AuditEntry.objects.filter(action="export").count(),)


# ---- end of E5's block ------------------------------------------------------------------


# ---- Theory of change, contribution story and partner survey (E4) -------------------
# The theory of change: the program's managers and evaluators read and edit it (Eve,
# Morgan); Olive, who manages another program, gets an audited 404; every other role
# 403. The partner survey belongs to the agency: its managers and evaluators (Olive
# too, for her own agency's partners).
THEORY = EVALUATION
THEORY_HOME = {**EVALUATION, "olive": OK}
SURVEY = {**EVALUATION, "olive": OK}


def _theory_url(name: str, *keys: str) -> Any:
    return lambda w, x: reverse(name, args=[w.program.pk, *(x[k].pk for k in keys)])


def _theory_rows(name: str, url: Any, payload: Any) -> list[Endpoint]:
    """A form page: its GET and its POST."""
    return [
        Endpoint(name, "GET", url, about_her=False, roles=THEORY),
        Endpoint(name, "POST", url, payload, about_her=False, roles=THEORY),
    ]


ENDPOINTS += [
    Endpoint(
        "theory_home",
        "GET",
        lambda w, x: reverse("theory_home"),
        about_her=False,
        roles=THEORY_HOME,
    ),
    Endpoint("theory_detail", "GET", _theory_url("theory_detail"), about_her=False, roles=THEORY),
    Endpoint("theory_story", "GET", _theory_url("theory_story"), about_her=False, roles=THEORY),
    Endpoint(
        "theory_install",
        "POST",
        _theory_url("theory_install"),
        lambda w, x: {},
        about_her=False,
        roles=THEORY,
    ),
    *_theory_rows(
        "theory_step_add",
        _theory_url("theory_step_add"),
        lambda w, x: {"kind": "output", "title": "Matrix step", "order": "5"},
    ),
    *_theory_rows(
        "theory_step_edit",
        _theory_url("theory_step_edit", "theory_step"),
        lambda w, x: {"kind": "activity", "title": "Outreach, renamed", "order": "0"},
    ),
    *_theory_rows(
        "theory_link_add",
        _theory_url("theory_link_add"),
        lambda w, x: {"source": str(x["theory_step"].pk), "target": str(x["theory_trust"].pk)},
    ),
    *_theory_rows(
        "theory_link_edit",
        _theory_url("theory_link_edit", "theory_link"),
        lambda w, x: {
            "source": str(x["theory_link"].source_id),
            "target": str(x["theory_link"].target_id),
            "assumptions": "Rewritten in the matrix",
        },
    ),
    *_theory_rows(
        "theory_link_rate",
        _theory_url("theory_link_rate", "theory_link"),
        lambda w, x: {"rating": "moderate", "rating_note": "Two kinds of evidence agree."},
    ),
    *_theory_rows(
        "theory_indicator_add",
        _theory_url("theory_indicator_add", "theory_link"),
        lambda w, x: {"indicator": "dropin-attendance"},
    ),
    Endpoint(
        "theory_indicator_remove",
        "POST",
        _theory_url("theory_indicator_remove", "theory_indicated_link", "theory_indicator"),
        lambda w, x: {},
        about_her=False,
        roles=THEORY,
    ),
    *_theory_rows(
        "theory_excerpt_add",
        _theory_url("theory_excerpt_add", "theory_link"),
        lambda w, x: {"interviewee": "staff", "text": "They come back because we keep our word."},
    ),
    *_theory_rows(
        "theory_excerpt_edit",
        _theory_url("theory_excerpt_edit", "theory_link", "theory_excerpt"),
        lambda w, x: {"interviewee": "peer_mentor", "text": "Trust comes first, then goals."},
    ),
    *_theory_rows(
        "theory_reference_add",
        _theory_url("theory_reference_add", "theory_link"),
        lambda w, x: {"citation": "Mayne J (2008). Contribution analysis. ILAC Brief 16."},
    ),
    *_theory_rows(
        "theory_reference_edit",
        _theory_url("theory_reference_edit", "theory_link", "theory_reference"),
        lambda w, x: {"citation": "Mayne J (2001). Addressing attribution.", "url": ""},
    ),
    Endpoint(
        "partner_survey",
        "GET",
        lambda w, x: reverse("partner_survey"),
        about_her=False,
        roles=SURVEY,
    ),
    Endpoint(
        "partner_survey_record",
        "GET",
        lambda w, x: reverse("partner_survey_record"),
        about_her=False,
        roles=SURVEY,
    ),
    Endpoint(
        "partner_survey_record",
        "POST",
        lambda w, x: reverse("partner_survey_record"),
        lambda w, x: {
            "partner": str(x["theory_partner"].pk),
            "year": str(timezone.localdate().year),
            "relationship": "positive",
            "benefits": ["faster_access"],
        },
        about_her=False,
        roles=SURVEY,
    ),
]


def _setup_theory(world: Any) -> dict[str, Any]:
    """Exit Doors Here's theory of change on the world's program, with one excerpt,
    one reference, and a partner of the agency."""
    from doorway.evaluation import exit_doors_here
    from doorway.evaluation.models import ChangeLink, ChangeStep, LinkIndicator
    from doorway.evaluation.theory.actions import add_excerpt, add_reference

    exit_doors_here.install(world.program)
    steps = {s.key: s for s in ChangeStep.objects.filter(program=world.program)}
    link = ChangeLink.objects.get(source=steps["outreach"], target=steps["women-engaged"])
    indicator = LinkIndicator.objects.filter(link__program=world.program).first()
    assert indicator is not None
    return {
        "theory_step": steps["outreach"],
        "theory_trust": steps["trust"],
        "theory_link": link,
        "theory_indicated_link": indicator.link,
        "theory_indicator": indicator,
        "theory_excerpt": add_excerpt(
            link, by=world.eve, interviewee="staff", text="Outreach is where trust starts."
        ),
        "theory_reference": add_reference(link, by=world.eve, citation="Matrix reference"),
        "theory_partner": PartnerFactory(agency=world.agency, name="Survey matrix partner"),
    }


def _snapshot_theory(world: Any) -> tuple[object, ...]:
    from doorway.evaluation.models import (
        ChangeLink,
        ChangeStep,
        InterviewExcerpt,
        LinkIndicator,
        PartnerSurveyResponse,
        Reference,
    )

    program = world.program
    return (
        tuple(
            ChangeStep.objects.filter(program=program)
            .order_by("key")
            .values_list("key", "kind", "title", "order")
        ),
        tuple(
            ChangeLink.objects.filter(program=program)
            .order_by("source__key", "target__key")
            .values_list("source__key", "target__key", "assumptions", "rating", "rating_note")
        ),
        tuple(
            LinkIndicator.objects.filter(link__program=program)
            .order_by("pk")
            .values_list("pk", "indicator")
        ),
        tuple(
            sorted(
                (str(e.pk), e.interviewee, e.text)
                for e in InterviewExcerpt.objects.filter(link__program=program)
            )
        ),
        tuple(
            Reference.objects.filter(link__program=program)
            .order_by("pk")
            .values_list("pk", "citation", "url")
        ),
        PartnerSurveyResponse.objects.count(),
    )


# ---- end of E4's block ------------------------------------------------------------------


def setup(world: Any) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    extras.update(_setup_reports(world))
    extras.update(_setup_theory(world))
    return extras


def snapshot(world: Any) -> tuple[object, ...]:
    return (*_snapshot_reports(world), *_snapshot_theory(world))

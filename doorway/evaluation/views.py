"""The evaluation's pages: the evaluation with its charts, the funder report (HTML and
PDF), the research export, and her ratings chart on the enrolment page.

Who may see what is in `rules`. The figures all come from `report.evaluation_report`;
nothing here counts anyone.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.enrolments.models import Enrolment
from doorway.evaluation import charts, deployment, disclosure, overview, permissions, snapshots
from doorway.evaluation.cohort import Cohort
from doorway.evaluation.disclosure import CohortRefused
from doorway.evaluation.export import SMALL_CELL_RULE, take_research_export
from doorway.evaluation.outcomes import BASELINE, LATER, her_pairs
from doorway.evaluation.params import accepts
from doorway.evaluation.pdf import render_pdf
from doorway.evaluation.suppress import RULE as SUPPRESSION_RULE
from doorway.instruments.queries import ratings_over_time
from doorway.programs.models import Cycle, Program
from doorway.web.forms import BootstrapForm, apply_errors
from doorway.web.http import AuthenticatedHttpRequest


class CohortForm(BootstrapForm, forms.Form):
    """Which women the evaluation is about. Sent by GET: it holds no personal data."""

    cycles = forms.ModelMultipleChoiceField(
        queryset=Cycle.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every cycle."),
    )
    enrolled_from = forms.DateField(
        label=gettext_lazy("Referred from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    enrolled_to = forms.DateField(
        label=gettext_lazy("Referred to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    phase_reached = forms.TypedChoiceField(
        label=gettext_lazy("Reached at least"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self, program: Program, *args: Any, published: bool = False, **kwargs: Any
    ) -> None:
        """`published`: for someone without access to the women's records, whole cycles
        only (`disclosure`); the finer choices are not offered, and refused if sent."""
        self.program = program
        self.published = published
        super().__init__(*args, **kwargs)
        cycles: Any = self.fields["cycles"]
        cycles.queryset = program.cycles.order_by("starts_on")
        if published:
            for name in ("enrolled_from", "enrolled_to", "phase_reached"):
                del self.fields[name]
            cycles.help_text = _("None ticked: every cycle large enough to be reported.")
            return
        phase: Any = self.fields["phase_reached"]
        phase.choices = [("", _("Any phase"))] + [
            (p.order, p.local_name) for p in program.active_phases()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("enrolled_from"), data.get("enrolled_to")
        if start and end and end < start:
            self.add_error("enrolled_to", _("The end comes before the start."))
        return data

    def cohort(self) -> Cohort:
        """The cohort chosen (the whole program when nothing valid is chosen). For a
        published cohort, CohortRefused when it is too small."""
        if self.published:
            chosen = self.cleaned_data.get("cycles") if self.is_bound and self.is_valid() else ()
            return disclosure.published_cohort(self.program, tuple(chosen or ()))
        if not self.is_bound or not self.is_valid():
            return Cohort(program=self.program)
        data = self.cleaned_data
        return Cohort(
            program=self.program,
            cycles=tuple(data.get("cycles") or ()),
            enrolled_from=data.get("enrolled_from"),
            enrolled_to=data.get("enrolled_to"),
            phase_reached=data.get("phase_reached"),
        )


COHORT_FIELDS = {"cycles", "enrolled_from", "enrolled_to", "phase_reached"}


def cohort_form(request: HttpRequest, program: Program, *, published: bool = False) -> CohortForm:
    """The cohort form from the query. CohortRefused naming each parameter sent that is
    not accepted here (for a published cohort: anything but whole cycles), rather than
    ignoring it and answering for another cohort than the one asked for."""
    form = CohortForm(program, published=published)
    unknown = disclosure.unaccepted_parameters(request.GET, form.fields)
    if unknown:
        raise CohortRefused(unknown)
    data = request.GET if COHORT_FIELDS & set(request.GET) else None
    chosen = CohortForm(program, data, published=published)
    if chosen.is_bound and not chosen.is_valid():
        # A known parameter with a value that means nothing (`?cycles=nonsense`): refused
        # by name too, rather than answered for every cycle.
        errors = chosen.errors.get_json_data()
        raise CohortRefused({name: [e["message"] for e in found] for name, found in errors.items()})
    return chosen


def published_query(form: CohortForm) -> str:
    """The query of the cohort's cycles alone: what the funder report and the export,
    always published, accept."""
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    if form.is_bound and form.is_valid():
        query.setlist("cycles", [str(c.pk) for c in form.cleaned_data.get("cycles") or ()])
    return query.urlencode()


def refused_page(request: HttpRequest, program: Program, refused: CohortRefused) -> HttpResponse:
    """A cohort that cannot be shown: 400 when the query asked for it, 200 (with the
    reason) when even the whole program is too small to publish."""
    return render(
        request,
        "evaluation/refused.html",
        {"program": program, "errors": refused.errors},
        status=400 if request.GET else 200,
    )


@login_required
@require_GET
@accepts()
def evaluation_home(request: HttpRequest) -> HttpResponse:
    if not permissions.sees_evaluations(request.user):
        raise PermissionDenied
    programs = list(permissions.evaluated_programs(request.user).order_by("name"))
    if len(programs) == 1:
        return redirect("evaluation_page", programs[0].slug)
    return render(
        request,
        "evaluation/home.html",
        {
            "programs": programs,
            "outcomes": deployment.deployment_table(request.user) if programs else [],
            "columns": deployment.COLUMNS,
            "suppressed": not deployment.sees_small_cells(request.user),
            "suppression_rule": SUPPRESSION_RULE
            if deployment.sees_small_cells(request.user)
            else disclosure.RULE,
        },
    )


# The evaluation of a program: an overview that answers first, and a page for each of
# its sections, with a bar of links between them. Each takes the cohort's parameters
# (and no other), reads the report for that cohort, and shows its own part of it.
SECTIONS: dict[str, str] = {
    "overview": "evaluation_page",
    "outcomes": "evaluation_outcomes",
    "process": "evaluation_process",
    "fidelity": "evaluation_fidelity",
    "costs": "evaluation_costs",
}


def _section_context(section: str, report: dict[str, Any], program: Program) -> dict[str, Any]:
    """What a section's page shows beyond what every section's page shows."""
    if section == "overview":
        return {
            "headlines": overview.focus_area_headlines(report),
            "participants": overview.participants_line(report),
            "story": overview.story_standing(program),
        }
    if section == "outcomes":
        return {
            "progress": charts.progress_figure(report),
            "wilcoxon": charts.wilcoxon_table(report),
            "distributions": charts.distribution_figures(report),
        }
    if section == "process":
        return {"process_figures": charts.process_figures(report)}
    if section == "costs":
        return {"costs": charts.cost_figure(report)}
    return {}


def section_page(request: HttpRequest, program_slug: str, section: str) -> HttpResponse:
    """One part of the program's evaluation, for the cohort the query names (400 naming
    what it cannot be); an audited 404 for a program out of her reach."""
    program = permissions.access_evaluation(request, program_slug)
    exact = permissions.sees_exact_figures(request.user)
    try:
        form = cohort_form(request, program, published=not exact)
        cohort = form.cohort()
    except CohortRefused as refused:
        return refused_page(request, program, refused)
    figures = snapshots.report_for(cohort, published=not exact, details=section == "fidelity")
    report = figures.report
    return render(
        request,
        f"evaluation/section_{section}.html",
        {
            "program": program,
            "form": form,
            "report": report,
            "figures": figures,
            "section": section,
            "sections": SECTIONS,
            # The cohort asked for, carried from one section to the next (it was checked
            # above: nothing else is in it).
            "cohort_query": request.GET.urlencode(),
            "query": published_query(form),
            "published": not exact,
            "left_out": [] if exact else disclosure.left_out(program),
            "minimum_cohort": disclosure.MINIMUM_COHORT,
            "disclosure_rule": disclosure.RULE,
            "takes_export": permissions.takes_research_export(request.user),
            "names_shortfalls": permissions.names_fidelity_shortfalls(request.user),
            **_section_context(section, report, program),
        },
    )


@login_required
@require_GET
@accepts(*COHORT_FIELDS)
def evaluation_page(request: HttpRequest, program_slug: str) -> HttpResponse:
    """The overview: the answer first (each focus area's result with its n, who was
    enrolled and in the research, where the contribution story stands)."""
    return section_page(request, program_slug, "overview")


@login_required
@require_GET
@accepts(*COHORT_FIELDS)
def evaluation_outcomes(request: HttpRequest, program_slug: str) -> HttpResponse:
    return section_page(request, program_slug, "outcomes")


@login_required
@require_GET
@accepts(*COHORT_FIELDS)
def evaluation_process(request: HttpRequest, program_slug: str) -> HttpResponse:
    return section_page(request, program_slug, "process")


@login_required
@require_GET
@accepts(*COHORT_FIELDS)
def evaluation_fidelity(request: HttpRequest, program_slug: str) -> HttpResponse:
    return section_page(request, program_slug, "fidelity")


@login_required
@require_GET
@accepts(*COHORT_FIELDS)
def evaluation_costs(request: HttpRequest, program_slug: str) -> HttpResponse:
    return section_page(request, program_slug, "costs")


@login_required
@require_POST
@accepts(*COHORT_FIELDS)
def count_again(request: HttpRequest, program_slug: str) -> HttpResponse:
    """Ask the worker to count the cohort's kept report again now, rather than at its
    next refresh; back to the section she was on."""
    program = permissions.access_evaluation(request, program_slug)
    exact = permissions.sees_exact_figures(request.user)
    try:
        cohort = cohort_form(request, program, published=not exact).cohort()
    except CohortRefused as refused:
        return refused_page(request, program, refused)
    if snapshots.count_again(cohort, published=not exact):
        messages.success(
            request,
            _("The figures are being counted again. Reload the page in a minute to see them."),
        )
    else:
        messages.info(request, _("These figures were counted less than a minute ago."))
    section = request.POST.get("section", "overview")
    url = reverse(SECTIONS.get(section, "evaluation_page"), args=[program.slug])
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


def funder_context(request: HttpRequest, program: Program) -> dict[str, Any]:
    """The funder report leaves the building: it is always published (whole cycles,
    perturbed counts, "<5"), whoever asks. CohortRefused when it cannot be."""
    form = cohort_form(request, program, published=True)
    cohort = form.cohort()
    figures = snapshots.report_for(cohort, published=True)
    report = figures.report
    progress, progress_bars = charts.funder_progress(report)
    costs, cost_bars = charts.funder_costs(report)
    return {
        "program": program,
        "report": report,
        "figures": figures,
        "progress": progress,
        "progress_svg": charts.svg_bars(progress_bars, maximum=100),
        "denominators": charts.funder_denominators(report),
        "tests": charts.funder_tests(report),
        "involvement": charts.funder_involvement(report),
        "costs": costs,
        "costs_svg": charts.svg_bars(cost_bars),
        "suppression_rule": disclosure.RULE,
        "query": published_query(form),
    }


@login_required
@require_GET
@accepts(*COHORT_FIELDS)
def funder_report(request: HttpRequest, program_slug: str) -> HttpResponse:
    program = permissions.access_evaluation(request, program_slug)
    try:
        context = funder_context(request, program)
    except CohortRefused as refused:
        return refused_page(request, program, refused)
    return render(request, "evaluation/funder_report.html", context)


@login_required
@require_GET
@accepts(*COHORT_FIELDS)
def funder_report_pdf(request: HttpRequest, program_slug: str) -> HttpResponse:
    program = permissions.access_evaluation(request, program_slug)
    try:
        context = funder_context(request, program)
    except CohortRefused as refused:
        return refused_page(request, program, refused)
    html = render_to_string("evaluation/funder_report_pdf.html", context, request=request)
    pdf = render_pdf(html)
    record(
        Action.EXPORT,
        request=request,
        subject=program,
        detail={"export": "funder_report_pdf", "cohort": context["report"].get("cohort")},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-funder-report.pdf"'
    return response


class ExportForm(BootstrapForm, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you need this export?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Kept in the audit log with who took the export and what was in it."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts(*COHORT_FIELDS)
def research_export(request: AuthenticatedHttpRequest, program_slug: str) -> HttpResponse:
    if not permissions.takes_research_export(request.user):
        raise PermissionDenied
    program = permissions.access_evaluation(request, program_slug)
    try:
        cohort = cohort_form(request, program, published=True).cohort()
    except CohortRefused as refused:
        return refused_page(request, program, refused)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            export = take_research_export(
                cohort,
                by=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as refused:
            apply_errors(form, refused)
        else:
            response = HttpResponse(export.zip(), content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="{export.filename()}"'
            return response
    return render(
        request,
        "evaluation/export.html",
        {
            "program": program,
            "form": form,
            "cohort": cohort,
            "query": request.GET.urlencode(),
            "small_cell_rule": SMALL_CELL_RULE,
        },
        status=400 if form.errors else 200,
    )


# On the enrolment page


def ratings_section(request: HttpRequest, enrolment: Enrolment) -> dict[str, Any] | None:
    """Her focus-area ratings, for her case team only: a star chart of her baseline and
    her later rating in each area, as the outcome tables define them
    (`outcomes.her_pairs`), and a table of those and of every rating by date. Three
    queries."""
    if not permissions.sees_ratings_chart(request.user):
        return None
    ratings = ratings_over_time(enrolment)
    pairs = her_pairs(enrolment)
    areas = [a for a in enrolment.cycle.program.active_focus_areas() if a.pk in ratings]
    dates = sorted({on for series in ratings.values() for on, _ in series})
    by_date = {area.pk: dict(ratings[area.pk]) for area in areas}
    language = enrolment.participant.preferred_language
    # Her chart is shown to her: it speaks her language, whatever the worker's.
    with translation.override(language):
        rows = []
        for a in areas:
            baseline, later = pairs.get(a.pk, ("", None))
            rows.append(
                [
                    a.local_name,
                    baseline,
                    "" if later is None else later,
                    *(by_date[a.pk].get(d, "") for d in dates),
                ]
            )
        table = charts.Table(
            _("Her journey-scale ratings (1-10) by focus area: baseline, latest and by date"),
            [_("Focus area"), _("Baseline"), _("Latest"), *(d.isoformat() for d in dates)],
            rows,
        )
        chart = None
        charted = [a for a in areas if a.pk in pairs]
        if len(charted) >= 3:
            # A star needs three points; the table is there either way.
            stars: list[tuple[str, list[int | None]]] = [
                (_("Baseline"), [pairs[a.pk][0] for a in charted])
            ]
            latest = [pairs[a.pk][1] for a in charted]
            if any(n is not None for n in latest):
                stars.append((_("Latest"), latest))
            chart = {
                "type": "radar",
                "labels": [a.local_name for a in charted],
                "datasets": [{"label": name, "data": data} for name, data in stars],
                "max": 10,
            }
        figure = charts.Figure(
            "ratings-chart",
            _("Her ratings over time"),
            table,
            chart,
            note=f"{BASELINE} {LATER}",
        )
    return {
        "template": "evaluation/_ratings_section.html",
        "evaluation_ratings": figure,
        "evaluation_ratings_language": language,
    }

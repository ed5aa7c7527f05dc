"""Theory of change pages: the theory as a nested list, the forms that edit it, and the
contribution story. Also the partner survey.

The theory belongs to a program: its managers and evaluators reach it
(`permissions.evaluated_programs`); a role that never sees an evaluation (case managers, peer
mentors, administrators) gets 403; a manager or evaluator of another program an audited
404. Nothing here is about one participant: indicators are counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doorway.audit.refusal import refuse
from doorway.evaluation import survey
from doorway.evaluation.models import (
    ChangeLink,
    ChangeStep,
    InterviewExcerpt,
    LinkIndicator,
    Reference,
)
from doorway.evaluation.params import accepts
from doorway.evaluation.permissions import evaluated_programs, sees_evaluations, sees_exact_figures
from doorway.evaluation.theory import actions as theory
from doorway.evaluation.theory.forms import (
    ExcerptForm,
    IndicatorForm,
    LinkForm,
    RatingForm,
    ReferenceForm,
    StepForm,
    SurveyForm,
)
from doorway.programs.models import Program
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest


def access_theory(request: AuthenticatedHttpRequest, program_id: Any) -> Program:
    """A program whose theory she reads and edits; 403 for a role that never does, an
    audited 404 for a program out of her reach."""
    if not sees_evaluations(request.user):
        raise PermissionDenied(_("The theory of change is for program managers and evaluators."))
    program = evaluated_programs(request.user).filter(pk=program_id).first()
    if program is None:
        refuse(request, object_id=program_id, object_type="programs.Program")
    return program


def _part[M: Model](request: AuthenticatedHttpRequest, queryset: QuerySet[M], object_id: Any) -> M:
    row = queryset.filter(pk=object_id).first()
    if row is None:
        refuse(request, object_id=object_id, object_type=queryset.model._meta.label)
    return row


def _link(request: AuthenticatedHttpRequest, program: Program, link_id: Any) -> ChangeLink:
    link = _part(request, ChangeLink.objects.filter(program=program), link_id)
    link.program = program
    return link


def theory_url(program: Program, anchor: str = "") -> str:
    return reverse("theory_detail", args=[program.pk]) + (f"#{anchor}" if anchor else "")


def _form_page(
    request: AuthenticatedHttpRequest,
    program: Program,
    form: Form,
    save: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    done: str,
    back: str,
    intro: str = "",
    link: ChangeLink | None = None,
) -> HttpResponse:
    """Show the form; on a valid POST call `save(cleaned_data)`; refusals go beside the
    fields they are about."""
    if form.is_bound and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(
        request,
        "evaluation/theory/form.html",
        {
            "program": program,
            "form": form,
            "title": title,
            "intro": intro,
            "back": back,
            "link": link,
        },
    )


def _data(request: AuthenticatedHttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


# --- Reading ---------------------------------------------------------------------------


@login_required
@require_GET
@accepts()
def theory_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not sees_evaluations(request.user):
        raise PermissionDenied(_("The theory of change is for program managers and evaluators."))
    programs = list(evaluated_programs(request.user))
    if len(programs) == 1:
        return redirect("theory_detail", programs[0].pk)
    return render(
        request,
        "evaluation/theory/home.html",
        {"programs": programs, "surveys": survey.surveys_partners(request.user)},
    )


@login_required
@require_GET
@accepts()
def theory_detail(request: AuthenticatedHttpRequest, program_id: Any) -> HttpResponse:
    program = access_theory(request, program_id)
    story = theory.contribution_story(program, exact=sees_exact_figures(request.user))
    return render(
        request,
        "evaluation/theory/detail.html",
        {
            "program": program,
            "groups": story["groups"],
            "exact": story["exact"],
            "ingredients": story["ingredients"],
            "may_install": program.slug.startswith("exit-doors-here") or not story["groups"],
        },
    )


@login_required
@require_GET
@accepts()
def theory_story(request: AuthenticatedHttpRequest, program_id: Any) -> HttpResponse:
    program = access_theory(request, program_id)
    story = theory.contribution_story(program, exact=sees_exact_figures(request.user))
    return render(request, "evaluation/theory/story.html", story)


@login_required
@require_POST
def theory_install(request: AuthenticatedHttpRequest, program_id: Any) -> HttpResponse:
    """Start from Exit Doors Here's theory of change (adds only what is missing)."""
    program = access_theory(request, program_id)
    theory.install_template(program, by=request.user)
    messages.success(request, _("Exit Doors Here's theory of change was added; edit it freely."))
    return redirect(theory_url(program))


# --- Steps and links -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@accepts()
def theory_step_add(request: AuthenticatedHttpRequest, program_id: Any) -> HttpResponse:
    program = access_theory(request, program_id)
    return _form_page(
        request,
        program,
        StepForm(_data(request)),
        lambda data: theory.add_step(program, by=request.user, **data),
        title=_("Add a step"),
        done=_("The step was added."),
        back=theory_url(program),
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts()
def theory_step_edit(
    request: AuthenticatedHttpRequest, program_id: Any, step_id: Any
) -> HttpResponse:
    program = access_theory(request, program_id)
    step = _part(request, ChangeStep.objects.filter(program=program), step_id)
    step.program = program
    return _form_page(
        request,
        program,
        StepForm(_data(request), step=step),
        lambda data: theory.edit_step(step, by=request.user, **data),
        title=_("Edit the step “%(title)s”") % {"title": step.title},
        done=_("The step was saved."),
        back=theory_url(program, f"step-{step.pk}"),
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts()
def theory_link_add(request: AuthenticatedHttpRequest, program_id: Any) -> HttpResponse:
    program = access_theory(request, program_id)
    return _form_page(
        request,
        program,
        LinkForm(_data(request), program=program),
        lambda data: theory.add_link(program, by=request.user, **data),
        title=_("Link two steps"),
        done=_("The link was added."),
        back=theory_url(program),
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts()
def theory_link_edit(
    request: AuthenticatedHttpRequest, program_id: Any, link_id: Any
) -> HttpResponse:
    program = access_theory(request, program_id)
    link = _link(request, program, link_id)
    return _form_page(
        request,
        program,
        LinkForm(_data(request), program=program, link=link),
        lambda data: theory.edit_link(link, by=request.user, **data),
        title=_("Edit the link"),
        done=_("The link was saved."),
        back=theory_url(program, f"link-{link.pk}"),
        link=link,
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts()
def theory_link_rate(
    request: AuthenticatedHttpRequest, program_id: Any, link_id: Any
) -> HttpResponse:
    program = access_theory(request, program_id)
    link = _link(request, program, link_id)
    initial = {"rating": link.rating, "rating_note": link.rating_note} if link.rating else None
    return _form_page(
        request,
        program,
        RatingForm(_data(request), initial=initial),
        lambda data: theory.rate_link(
            link,
            by=request.user,
            rating=data["rating"],
            note=data["rating_note"],
        ),
        title=_("Rate the evidence for this link"),
        intro=_(
            "Strong: several kinds of evidence agree and alternatives are ruled out. "
            "Moderate: some evidence, alternatives not ruled out. Weak: little or conflicting "
            "evidence. None: nothing yet."
        ),
        done=_("The rating was saved."),
        back=theory_url(program, f"link-{link.pk}"),
        link=link,
    )


# --- Evidence ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@accepts()
def theory_indicator_add(
    request: AuthenticatedHttpRequest, program_id: Any, link_id: Any
) -> HttpResponse:
    program = access_theory(request, program_id)
    link = _link(request, program, link_id)
    return _form_page(
        request,
        program,
        IndicatorForm(_data(request), program=program),
        lambda data: theory.add_indicator(link, by=request.user, **data),
        title=_("Add an indicator"),
        intro=_(
            "Computed from the records each time the theory is shown: counts over the "
            "women who consented to the evaluation, never a line about one of them."
        ),
        done=_("The indicator was added."),
        back=theory_url(program, f"link-{link.pk}"),
        link=link,
    )


@login_required
@require_POST
def theory_indicator_remove(
    request: AuthenticatedHttpRequest, program_id: Any, link_id: Any, indicator_id: Any
) -> HttpResponse:
    program = access_theory(request, program_id)
    link = _link(request, program, link_id)
    row = _part(request, LinkIndicator.objects.filter(link=link), indicator_id)
    row.link = link
    theory.remove_indicator(row, by=request.user)
    messages.success(request, _("The indicator was taken off the link."))
    return redirect(theory_url(program, f"link-{link.pk}"))


@login_required
@require_http_methods(["GET", "POST"])
@accepts()
def theory_excerpt_add(
    request: AuthenticatedHttpRequest, program_id: Any, link_id: Any
) -> HttpResponse:
    program = access_theory(request, program_id)
    link = _link(request, program, link_id)
    return _form_page(
        request,
        program,
        ExcerptForm(_data(request), program=program),
        lambda data: theory.add_excerpt(link, by=request.user, **data),
        title=_("Add an interview excerpt"),
        done=_("The excerpt was added."),
        back=theory_url(program, f"link-{link.pk}"),
        link=link,
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts()
def theory_excerpt_edit(
    request: AuthenticatedHttpRequest, program_id: Any, link_id: Any, excerpt_id: Any
) -> HttpResponse:
    program = access_theory(request, program_id)
    link = _link(request, program, link_id)
    excerpt = _part(request, InterviewExcerpt.objects.filter(link=link), excerpt_id)
    excerpt.link = link
    return _form_page(
        request,
        program,
        ExcerptForm(_data(request), program=program, excerpt=excerpt),
        lambda data: theory.edit_excerpt(excerpt, by=request.user, **data),
        title=_("Edit the interview excerpt"),
        done=_("The excerpt was saved."),
        back=theory_url(program, f"link-{link.pk}"),
        link=link,
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts()
def theory_reference_add(
    request: AuthenticatedHttpRequest, program_id: Any, link_id: Any
) -> HttpResponse:
    program = access_theory(request, program_id)
    link = _link(request, program, link_id)
    return _form_page(
        request,
        program,
        ReferenceForm(_data(request)),
        lambda data: theory.add_reference(link, by=request.user, **data),
        title=_("Add a reference"),
        done=_("The reference was added."),
        back=theory_url(program, f"link-{link.pk}"),
        link=link,
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts()
def theory_reference_edit(
    request: AuthenticatedHttpRequest, program_id: Any, link_id: Any, reference_id: Any
) -> HttpResponse:
    program = access_theory(request, program_id)
    link = _link(request, program, link_id)
    ref = _part(request, Reference.objects.filter(link=link), reference_id)
    ref.link = link
    return _form_page(
        request,
        program,
        ReferenceForm(_data(request), reference=ref),
        lambda data: theory.edit_reference(ref, by=request.user, **data),
        title=_("Edit the reference"),
        done=_("The reference was saved."),
        back=theory_url(program, f"link-{link.pk}"),
        link=link,
    )


# --- Partner survey ------------------------------------------------------------------------


def _check_survey(request: AuthenticatedHttpRequest) -> Any:
    if not survey.surveys_partners(request.user):
        raise PermissionDenied(_("The partner survey is for program managers and evaluators."))
    return survey.partners_of(request.user)


@login_required
@require_GET
@accepts()
def partner_survey(request: AuthenticatedHttpRequest) -> HttpResponse:
    partners = _check_survey(request)
    return render(
        request,
        "evaluation/survey/summary.html",
        {"years": survey.summary(partners), "has_partners": partners.exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts()
def partner_survey_record(request: AuthenticatedHttpRequest) -> HttpResponse:
    partners = _check_survey(request)
    form = SurveyForm(_data(request), partners=partners)
    if form.is_bound and form.is_valid():
        try:
            survey.record_response(by=request.user, **form.values())
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(request, _("The partner's answer was recorded."))
            return redirect("partner_survey")
    return render(request, "evaluation/survey/form.html", {"form": form})

"""Plan pages: her plan, the forms that write it, the printable copy she keeps, and the
plan section of the enrolment page.

Every view calls `access_enrolment` first (404 and an audited refusal when out of
reach), then checks the role's capability in `rules` (403: a peer mentor never sees a
plan; an administrator who broke the glass reads and never writes). Reads are audited.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.concurrency import StaleVersion, version_of, version_or_new
from doorway.disclosures import what
from doorway.disclosures.log import record_disclosure
from doorway.disclosures.models import Channel
from doorway.enrolments.access import access_enrolment, access_part
from doorway.enrolments.models import Enrolment
from doorway.people.models import SharingScope
from doorway.plans import actions, permissions
from doorway.plans.forms import (
    GoalForm,
    PhasePlanForm,
    ReviewForm,
    ServicePlanForm,
    StatusForm,
    StepForm,
)
from doorway.plans.models import Goal, PhasePlan, PlanReview, ServicePlan, Status, Step
from doorway.plans.queries import review_due_since
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.pages import record_page

# --- access -----------------------------------------------------------------------------


def access_plan_reader(request: AuthenticatedHttpRequest, enrolment_id: Any) -> Enrolment:
    enrolment = access_enrolment(request, enrolment_id)
    if not permissions.reads_plans(request.user):
        raise PermissionDenied(_("Plans are read by the care team only."))
    return enrolment


def access_plan_writer(request: AuthenticatedHttpRequest, enrolment_id: Any) -> Enrolment:
    enrolment = access_plan_reader(request, enrolment_id)
    if not permissions.writes_plans(request.user):
        raise PermissionDenied(_("Your role does not write plans."))
    return enrolment


def access_goal(request: AuthenticatedHttpRequest, enrolment: Enrolment, goal_id: Any) -> Goal:
    """A goal of her plan; otherwise 404, audited."""
    goals = Goal.objects.select_related("focus_area", "plan").filter(plan__enrolment=enrolment)
    goal = access_part(request, enrolment, goals, goal_id)
    goal.plan.enrolment = enrolment
    return goal


def access_step(request: AuthenticatedHttpRequest, enrolment: Enrolment, step_id: Any) -> Step:
    steps = Step.objects.select_related("goal__plan", "goal__focus_area").filter(
        goal__plan__enrolment=enrolment
    )
    step = access_part(request, enrolment, steps, step_id)
    step.goal.plan.enrolment = enrolment
    return step


# --- reading ----------------------------------------------------------------------------


def plan_of(enrolment: Enrolment) -> ServicePlan | None:
    return ServicePlan.objects.filter(enrolment=enrolment).first()


def goals_of(plan: ServicePlan | None) -> list[Goal]:
    if plan is None:
        return []
    return list(Goal.objects.filter(plan=plan).for_page())


def current_phase_plan(enrolment: Enrolment) -> PhasePlan | None:
    return (
        PhasePlan.objects.filter(enrolment=enrolment, phase=enrolment.current_phase)
        .prefetch_related("focus_areas")
        .first()
    )


def plan_url(enrolment: Enrolment, anchor: str = "") -> str:
    return reverse("plan_detail", args=[enrolment.pk]) + (f"#{anchor}" if anchor else "")


def review_due_message(enrolment: Enrolment, done: str) -> str | SafeString:
    """The message after a phase move: says when the move asks for a plan review."""
    if review_due_since(enrolment) is None:
        return done
    return format_html(
        '{} A plan review is now due: <a href="{}">review her plan</a>.',
        done,
        reverse("plan_review", args=[enrolment.pk]),
    )


def audit_read(
    request: AuthenticatedHttpRequest, enrolment: Enrolment, plan: Any, **detail: Any
) -> None:
    record(
        Action.VIEW,
        request=request,
        participant=enrolment.participant_id,
        subject=plan or enrolment,
        detail=detail,
    )


def plan_section(request: AuthenticatedHttpRequest, enrolment: Enrolment) -> dict[str, Any] | None:
    """The enrolment page's plan summary: goals by status, and a review when one is due.
    Hidden from those who do not read plans. Three queries."""
    user = request.user
    if not permissions.reads_plans(user):
        return None
    plan = plan_of(enrolment)
    counts: Counter[str] = Counter()
    if plan is not None:
        counts.update(plan.goals.values_list("status", flat=True))
    return {
        "template": "plans/_section.html",
        "plans_plan": plan,
        "plans_goal_counts": [(s.label, counts[s.value]) for s in Status if counts[s.value]],
        "plans_goal_total": sum(counts.values()),
        "plans_review_due": review_due_since(enrolment),
        "plans_may_write": permissions.writes_plans(user),
    }


@login_required
@require_GET
def plan_detail(request: AuthenticatedHttpRequest, enrolment_id: Any) -> HttpResponse:
    enrolment = access_plan_reader(request, enrolment_id)
    plan = plan_of(enrolment)
    reviews = list(
        PlanReview.objects.filter(enrolment=enrolment)
        .select_related("phase", "recorded_by")
        .prefetch_related(
            Prefetch("goals_changed", queryset=Goal.objects.select_related("focus_area"))
        )
    )
    phase_plans = list(
        PhasePlan.objects.filter(enrolment=enrolment)
        .select_related("phase")
        .prefetch_related("focus_areas")
    )
    current = next((p for p in phase_plans if p.phase_id == enrolment.current_phase_id), None)
    audit_read(
        request,
        enrolment,
        plan,
        private_notes=bool(plan and plan.private_notes),
        reviews=[str(r.pk) for r in reviews],
    )
    return record_page(
        request,
        enrolment,
        "plans/plan_detail.html",
        plan=plan,
        goals=goals_of(plan),
        phase_plans=phase_plans,
        current_phase_plan=current,
        reviews=reviews,
        review_due=review_due_since(enrolment),
        may_write=permissions.writes_plans(request.user) and enrolment.is_open,
        may_print=permissions.prints_her_plan(request.user),
    )


@login_required
@require_GET
def plan_print(request: AuthenticatedHttpRequest, enrolment_id: Any) -> HttpResponse:
    """The copy she keeps: her words, her phase plan, her goals and steps. No private
    notes, no review's decisions, nobody else."""
    enrolment = access_plan_reader(request, enrolment_id)
    if not permissions.prints_her_plan(request.user):
        # A print leaves Doorway: not through break-the-glass, which only reads.
        raise PermissionDenied(
            _(
                "A printed plan leaves Doorway, so her care team prints it for her; "
                "you may read it here."
            )
        )
    plan = plan_of(enrolment)
    audit_read(request, enrolment, plan, printed=True)
    # The disclosure log: her name and plan leave Doorway on paper, for her.
    record_disclosure(
        enrolment.participant,
        channel=Channel.PRINT,
        what=[what.PREFERRED_NAME, SharingScope.PLAN] if plan else [what.PREFERRED_NAME],
        by=request.user,
        recipient=what.PRINTED_FOR_HER,
        source=plan,
    )
    program = enrolment.cycle.program
    # Her copy is in her language, whatever the worker's.
    with translation.override(enrolment.participant.preferred_language):
        response = render(
            request,
            "plans/plan_print.html",
            {
                "enrolment": enrolment,
                "preferred_name": enrolment.participant.preferred_name,
                "program": program,
                "agency": program.agency,
                "case_manager": enrolment.case_manager,
                "plan": plan,
                "goals": goals_of(plan),
                "phase_plan": current_phase_plan(enrolment),
            },
        )
        response.headers["Content-Language"] = translation.get_language()
    return response


# --- writing ----------------------------------------------------------------------------


def done(
    request: AuthenticatedHttpRequest, enrolment: Enrolment, message: str, anchor: str = ""
) -> HttpResponse:
    messages.success(request, message)
    return redirect(plan_url(enrolment, anchor))


def plan_values(plan: ServicePlan | None) -> dict[str, Any]:
    if plan is None:
        return {}
    return {
        "agreed_on": plan.agreed_on,
        "her_words": plan.her_words,
        "private_notes": plan.private_notes,
    }


@login_required
@require_http_methods(["GET", "POST"])
def plan_agree(request: AuthenticatedHttpRequest, enrolment_id: Any) -> HttpResponse:
    enrolment = access_plan_writer(request, enrolment_id)
    plan = plan_of(enrolment)
    form = ServicePlanForm(
        request.POST if request.method == "POST" else None,
        initial=plan_values(plan),
        version=version_or_new(plan),
    )
    if form.is_bound and form.is_valid():
        try:
            actions.save_service_plan(
                enrolment,
                by=request.user,
                expected_version=form.expected_version,
                **form.cleaned_data,
            )
        except StaleVersion:
            plan = plan_of(enrolment)
            form.show_theirs(version_or_new(plan), plan_values(plan))
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            return done(request, enrolment, _("Her plan was saved."))
    elif plan is not None:
        audit_read(request, enrolment, plan, private_notes=bool(plan.private_notes))
    return record_page(request, enrolment, "plans/plan_form.html", form=form, plan=plan)


def phase_plan_values(phase_plan: PhasePlan | None) -> dict[str, Any]:
    if phase_plan is None:
        return {}
    return {
        "focus_areas": [a.pk for a in phase_plan.focus_areas.all()],
        "agreed_on": phase_plan.agreed_on,
    }


@login_required
@require_http_methods(["GET", "POST"])
def phase_plan_set(request: AuthenticatedHttpRequest, enrolment_id: Any) -> HttpResponse:
    enrolment = access_plan_writer(request, enrolment_id)
    existing = current_phase_plan(enrolment)
    form = PhasePlanForm(
        request.POST if request.method == "POST" else None,
        enrolment=enrolment,
        initial=phase_plan_values(existing),
        version=actions.phase_plan_version(existing),
    )
    if form.is_bound and form.is_valid():
        try:
            actions.set_phase_plan(
                enrolment,
                by=request.user,
                focus_areas=form.cleaned_data["focus_areas"],
                agreed_on=form.cleaned_data["agreed_on"],
                expected_version=form.expected_version,
            )
        except StaleVersion:
            existing = current_phase_plan(enrolment)
            form.show_theirs(actions.phase_plan_version(existing), phase_plan_values(existing))
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            return done(request, enrolment, _("The phase plan was saved."), "phase-plan")
    return record_page(request, enrolment, "plans/phase_plan_form.html", form=form)


@login_required
@require_http_methods(["GET", "POST"])
def goal_add(request: AuthenticatedHttpRequest, enrolment_id: Any) -> HttpResponse:
    enrolment = access_plan_writer(request, enrolment_id)
    form = GoalForm(request.POST if request.method == "POST" else None, enrolment=enrolment)
    if form.is_bound and form.is_valid():
        try:
            goal = actions.add_goal(enrolment, by=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            return done(request, enrolment, _("The goal was added."), f"goal-{goal.pk}")
    return record_page(request, enrolment, "plans/goal_form.html", form=form, goal=None)


def goal_values(goal: Goal) -> dict[str, Any]:
    return {
        "focus_area": goal.focus_area_id,
        "her_words": goal.her_words,
        "target_on": goal.target_on,
    }


def step_values(step: Step) -> dict[str, Any]:
    return {"what": step.what, "target_on": step.target_on, "status": step.status}


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: AuthenticatedHttpRequest, enrolment_id: Any, goal_id: Any) -> HttpResponse:
    enrolment = access_plan_writer(request, enrolment_id)
    goal = access_goal(request, enrolment, goal_id)
    bound = request.method == "POST"
    form = GoalForm(
        request.POST if bound else None, enrolment=enrolment, goal=goal, version=version_of(goal)
    )
    if bound and form.is_valid():
        try:
            actions.edit_goal(
                goal,
                by=request.user,
                expected_version=form.expected_version,
                **form.cleaned_data,
            )
        except StaleVersion:
            goal.refresh_from_db()
            form.show_theirs(version_of(goal), goal_values(goal))
        except ValidationError as refusal:
            goal.refresh_from_db()
            apply_errors(form, refusal)
        else:
            return done(request, enrolment, _("The goal was saved."), f"goal-{goal.pk}")
    if not bound:
        audit_read(request, enrolment, goal)  # her words, in the form
    status_form = StatusForm(
        initial={"status": goal.status}, auto_id="status_%s", version=version_of(goal)
    )
    return record_page(
        request, enrolment, "plans/goal_form.html", form=form, goal=goal, status_form=status_form
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_status(request: AuthenticatedHttpRequest, enrolment_id: Any, goal_id: Any) -> HttpResponse:
    enrolment = access_plan_writer(request, enrolment_id)
    goal = access_goal(request, enrolment, goal_id)
    bound = request.method == "POST"
    form = StatusForm(
        request.POST if bound else None,
        initial={"status": goal.status},
        auto_id="status_%s",
        version=version_of(goal),
    )
    if bound and form.is_valid():
        try:
            actions.change_goal_status(
                goal,
                by=request.user,
                expected_version=form.expected_version,
                **form.cleaned_data,
            )
        except StaleVersion:
            goal.refresh_from_db()
            form.show_theirs(version_of(goal), {"status": goal.status})
        except ValidationError as refusal:
            goal.refresh_from_db()
            apply_errors(form, refusal)
        else:
            return done(request, enrolment, _("The goal's status was saved."), f"goal-{goal.pk}")
    if not bound:
        audit_read(request, enrolment, goal)  # her words, above the form
    return record_page(request, enrolment, "plans/goal_status_form.html", form=form, goal=goal)


@login_required
@require_http_methods(["GET", "POST"])
def step_add(request: AuthenticatedHttpRequest, enrolment_id: Any, goal_id: Any) -> HttpResponse:
    enrolment = access_plan_writer(request, enrolment_id)
    goal = access_goal(request, enrolment, goal_id)
    form = StepForm(request.POST if request.method == "POST" else None)
    del form.fields["status"], form.fields["on"]
    if form.is_bound and form.is_valid():
        try:
            actions.add_step(goal, by=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            return done(request, enrolment, _("The step was added."), f"goal-{goal.pk}")
    if not form.is_bound:
        audit_read(request, enrolment, goal)  # her words, above the form
    return record_page(request, enrolment, "plans/step_form.html", form=form, goal=goal, step=None)


@login_required
@require_http_methods(["GET", "POST"])
def step_edit(request: AuthenticatedHttpRequest, enrolment_id: Any, step_id: Any) -> HttpResponse:
    enrolment = access_plan_writer(request, enrolment_id)
    step = access_step(request, enrolment, step_id)
    bound = request.method == "POST"
    form = StepForm(
        request.POST if bound else None,
        initial=step_values(step),
        version=version_of(step),
    )
    if bound and form.is_valid():
        try:
            actions.edit_step(
                step,
                by=request.user,
                expected_version=form.expected_version,
                **form.cleaned_data,
            )
        except StaleVersion:
            step.refresh_from_db()
            form.show_theirs(version_of(step), step_values(step))
        except ValidationError as refusal:
            step.refresh_from_db()
            apply_errors(form, refusal)
        else:
            return done(request, enrolment, _("The step was saved."), f"goal-{step.goal_id}")
    if not bound:
        audit_read(request, enrolment, step)  # the step and her goal's words
    return record_page(
        request, enrolment, "plans/step_form.html", form=form, goal=step.goal, step=step
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_review(request: AuthenticatedHttpRequest, enrolment_id: Any) -> HttpResponse:
    """Record a review; when a phase change asked for it, it may also set the new
    phase's phase plan."""
    enrolment = access_plan_writer(request, enrolment_id)
    plan = plan_of(enrolment)
    goals = [g for g in goals_of(plan) if g.is_open]
    existing = current_phase_plan(enrolment)
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        enrolment=enrolment,
        goals=goals,
        initial={"focus_areas": [a.pk for a in existing.focus_areas.all()]} if existing else {},
        version=actions.review_version(enrolment),
    )
    if form.is_bound and form.is_valid():
        areas = list(form.cleaned_data["focus_areas"])
        if existing is not None and {a.pk for a in areas} == {
            a.pk for a in existing.focus_areas.all()
        }:
            areas = []  # the phase plan stays as it was agreed
        try:
            actions.record_review(
                enrolment,
                by=request.user,
                reviewed_on=form.cleaned_data["reviewed_on"],
                decided=form.cleaned_data["decided"],
                statuses=form.statuses(),
                focus_areas=areas or None,
                expected_version=form.expected_version,
            )
        except StaleVersion:
            enrolment.refresh_from_db()
            existing = current_phase_plan(enrolment)
            form.show_theirs(
                actions.review_version(enrolment),
                {
                    **{f"goal_{g.pk}": g.status for g in goals_of(plan_of(enrolment))},
                    "focus_areas": [a.pk for a in existing.focus_areas.all()] if existing else [],
                },
            )
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            return done(request, enrolment, _("The plan review was recorded."), "reviews")
    if plan is not None and not form.is_bound:
        audit_read(request, enrolment, plan)
    return record_page(
        request,
        enrolment,
        "plans/review_form.html",
        form=form,
        plan=plan,
        review_due=review_due_since(enrolment),
        current_phase_plan=existing,
    )

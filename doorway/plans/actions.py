"""Writing her plan. Each function checks everything (raising one ValidationError keyed
by field for all problems at once), then writes and audits in one transaction. The audit
entry names the fields, never her words or the notes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.concurrency import check_current, lock_if_current, version_of, version_or_new
from doorway.enrolments.dates import THIS_DATE, check_date
from doorway.enrolments.due import refresh_after_commit
from doorway.enrolments.models import Enrolment
from doorway.people.models import User
from doorway.plans import permissions
from doorway.plans.models import (
    MAX_FOCUS_AREAS,
    Goal,
    PhasePlan,
    PlanReview,
    ServicePlan,
    Status,
    StatusChange,
    Step,
)
from doorway.plans.queries import phase_change_event, review_due_since
from doorway.programs.models import FocusArea, Phase

Errors = dict[str, str]


# --- versions (what a page form carries, so that a save over someone else's is refused) --


def _area_ids(phase_plan: PhasePlan) -> list[str]:
    return sorted(str(pk) for pk in phase_plan.focus_areas.values_list("pk", flat=True))


def phase_plan_version(phase_plan: PhasePlan | None) -> str:
    """Its stored values and its focus areas (NEW when there is none yet)."""
    return version_or_new(phase_plan, *(_area_ids(phase_plan) if phase_plan else []))


def _review_extra(enrolment: Enrolment) -> list[str]:
    """What a review changes besides the enrolment's own row: her goals' statuses and
    her current phase's focus areas."""
    goals = Goal.objects.filter(plan__enrolment=enrolment).order_by("pk")
    phase_plan = PhasePlan.objects.filter(
        enrolment=enrolment, phase=enrolment.current_phase_id
    ).first()
    return [
        *(f"{pk}:{status}" for pk, status in goals.values_list("pk", "status")),
        *(_area_ids(phase_plan) if phase_plan else []),
    ]


def review_version(enrolment: Enrolment) -> str:
    """What a review form carries: a goal's status moved, a phase plan set or a phase
    moved since she opened it, and her review would be written over a change."""
    return version_of(enrolment, *_review_extra(enrolment))


def _lock(record: Any, expected_version: str | None) -> None:
    if expected_version is not None:
        lock_if_current(record, expected_version)


# --- checks ---------------------------------------------------------------------------


def _check_writer(enrolment: Enrolment, by: User) -> None:
    if not permissions.writes_plans(by):
        raise PermissionDenied(_("Your role does not write plans."))
    if not enrolment.is_open:
        raise ValidationError(_("Reopen the enrolment before changing her plan."))


def _check_past_date(
    errors: Errors, field: str, value: datetime.date | None, enrolment: Enrolment, missing: str
) -> None:
    """A date that has happened: not in the future, not before her referral."""
    check_date(
        errors,
        field,
        value,
        enrolment,
        missing=missing,
        cannot=THIS_DATE,
    )


def _check_target_date(
    errors: Errors, field: str, value: datetime.date | None, enrolment: Enrolment
) -> None:
    if value is not None and value < enrolment.referred_on:
        errors[field] = _("A target date cannot be before her referral (%(day)s).") % {
            "day": date_format(enrolment.referred_on)
        }


def _check_words(errors: Errors, field: str, value: str, message: str) -> None:
    if not value.strip():
        errors[field] = message


def _check_status(errors: Errors, field: str, value: str) -> None:
    if value not in Status.values:
        errors[field] = _("Choose a status.")


def _of_her_program(enrolment: Enrolment, area: FocusArea | None) -> bool:
    return area is not None and area.program_id == enrolment.cycle.program_id


def _check_focus_areas(errors: Errors, enrolment: Enrolment, areas: list[FocusArea]) -> None:
    if not 1 <= len(areas) <= MAX_FOCUS_AREAS:
        errors["focus_areas"] = _("Choose one to %(most)d focus areas for this phase.") % {
            "most": MAX_FOCUS_AREAS
        }
    elif not all(_of_her_program(enrolment, area) for area in areas):
        errors["focus_areas"] = _("Choose focus areas of her program only.")


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _audit(action: Action, by: User, enrolment: Enrolment, subject: Any, **detail: Any) -> None:
    record(action, actor=by, participant=enrolment.participant_id, subject=subject, detail=detail)


# --- the service plan -------------------------------------------------------------------


@transaction.atomic
def save_service_plan(
    enrolment: Enrolment,
    *,
    by: User,
    agreed_on: datetime.date | None,
    her_words: str,
    private_notes: str = "",
    expected_version: str | None = None,
) -> ServicePlan:
    """Agree her plan, or change it (the earlier version stays in its history).
    `expected_version` is the version the writer saw (`concurrency.NEW` for none): a
    save over someone else's is refused with StaleVersion."""
    _check_writer(enrolment, by)
    check_current(
        ServicePlan.objects.select_for_update().filter(enrolment=enrolment).first(),
        expected_version,
    )
    her_words, private_notes = her_words.strip(), private_notes.strip()
    errors: Errors = {}
    _check_past_date(
        errors, "agreed_on", agreed_on, enrolment, _("Give the date the plan was agreed with her.")
    )
    _check_words(errors, "her_words", her_words, _("Write what she wants, in her own words."))
    _raise(errors)
    plan = ServicePlan.objects.select_for_update().filter(enrolment=enrolment).first()
    values = {"agreed_on": agreed_on, "her_words": her_words, "private_notes": private_notes}
    if plan is None:
        plan = ServicePlan(enrolment=enrolment, created_by=by, **values)
        plan._history_user = by  # type: ignore[attr-defined]  # simple-history reads the change's author from this attribute
        plan.save()
        _audit(Action.CREATE, by, enrolment, plan, fields=[k for k, v in values.items() if v])
        return plan
    changed = [name for name, value in values.items() if getattr(plan, name) != value]
    if not changed:
        return plan
    for name, value in values.items():
        setattr(plan, name, value)
    plan.updated_at = timezone.now()
    plan._history_user = by  # type: ignore[attr-defined]  # simple-history reads the change's author from this attribute
    plan.save()
    _audit(Action.CHANGE, by, enrolment, plan, fields=changed)
    return plan


# --- phase plans ------------------------------------------------------------------------


def _write_phase_plan(
    enrolment: Enrolment,
    *,
    by: User,
    phase: Phase,
    focus_areas: list[FocusArea],
    agreed_on: datetime.date,
) -> PhasePlan:
    phase_plan = PhasePlan.objects.filter(enrolment=enrolment, phase=phase).first()
    if phase_plan is None:
        phase_plan = PhasePlan.objects.create(
            enrolment=enrolment, phase=phase, agreed_on=agreed_on, recorded_by=by
        )
        action = Action.CREATE
    else:
        phase_plan.agreed_on = agreed_on
        phase_plan.recorded_by = by
        phase_plan.recorded_at = timezone.now()
        phase_plan.save()
        action = Action.CHANGE
    phase_plan.focus_areas.set(focus_areas)
    _audit(action, by, enrolment, phase_plan, fields=["focus_areas", "agreed_on"])
    return phase_plan


@transaction.atomic
def set_phase_plan(
    enrolment: Enrolment,
    *,
    by: User,
    phase: Phase | None = None,
    focus_areas: Iterable[FocusArea],
    agreed_on: datetime.date | None,
    expected_version: str | None = None,
) -> PhasePlan:
    """Name the one to three focus areas of her program worked on in a phase (her
    current phase unless another is given); setting it again replaces the areas.
    `expected_version`: see `phase_plan_version`."""
    _check_writer(enrolment, by)
    phase = phase or enrolment.current_phase
    check_current(
        PhasePlan.objects.filter(enrolment=enrolment, phase=phase).first(),
        expected_version,
        _area_ids,
    )
    areas = list(focus_areas)
    errors: Errors = {}
    if phase.program_id != enrolment.cycle.program_id:
        errors["phase"] = _("Choose a phase of her program.")
    _check_focus_areas(errors, enrolment, areas)
    _check_past_date(
        errors, "agreed_on", agreed_on, enrolment, _("Give the date the phase plan was agreed.")
    )
    _raise(errors)
    assert agreed_on is not None
    return _write_phase_plan(enrolment, by=by, phase=phase, focus_areas=areas, agreed_on=agreed_on)


# --- goals and steps --------------------------------------------------------------------


def _move_status(
    goal: Goal, step: Step | None, *, by: User, to: str, on: datetime.date
) -> StatusChange | None:
    """Record one dated status move (nothing when the status stays the same)."""
    target: Goal | Step = step if step is not None else goal
    if target.status == to:
        return None
    change = StatusChange.objects.create(
        goal=goal,
        step=step,
        from_status=target.status,
        to_status=to,
        changed_on=on,
        recorded_by=by,
    )
    target.status = to
    if isinstance(target, Step):
        target.done_on = on if to == Status.ACHIEVED else None
    target.save()
    return change


def _service_plan_of(enrolment: Enrolment) -> ServicePlan:
    plan = ServicePlan.objects.filter(enrolment=enrolment).first()
    if plan is None:
        raise ValidationError(_("Agree her plan with her before adding goals."))
    return plan


@transaction.atomic
def add_goal(
    enrolment: Enrolment,
    *,
    by: User,
    focus_area: FocusArea | None,
    her_words: str,
    target_on: datetime.date | None = None,
) -> Goal:
    _check_writer(enrolment, by)
    plan = _service_plan_of(enrolment)
    her_words = her_words.strip()
    errors: Errors = {}
    if not _of_her_program(enrolment, focus_area):
        errors["focus_area"] = _("Choose a focus area of her program.")
    _check_words(errors, "her_words", her_words, _("Write the goal, in her words."))
    _check_target_date(errors, "target_on", target_on, enrolment)
    _raise(errors)
    assert focus_area is not None
    order = plan.goals.count()
    goal = Goal.objects.create(
        plan=plan,
        focus_area=focus_area,
        her_words=her_words,
        target_on=target_on,
        order=order,
        status=Status.NOT_STARTED,
    )
    StatusChange.objects.create(
        goal=goal, to_status=Status.NOT_STARTED, changed_on=timezone.localdate(), recorded_by=by
    )
    _audit(Action.CREATE, by, enrolment, goal, fields=["focus_area", "her_words", "target_on"])
    return goal


@transaction.atomic
def edit_goal(
    goal: Goal,
    *,
    by: User,
    focus_area: FocusArea | None,
    her_words: str,
    target_on: datetime.date | None,
    expected_version: str | None = None,
) -> Goal:
    enrolment = goal.plan.enrolment
    _check_writer(enrolment, by)
    _lock(goal, expected_version)
    her_words = her_words.strip()
    errors: Errors = {}
    if not _of_her_program(enrolment, focus_area):
        errors["focus_area"] = _("Choose a focus area of her program.")
    _check_words(errors, "her_words", her_words, _("Write the goal, in her words."))
    _check_target_date(errors, "target_on", target_on, enrolment)
    _raise(errors)
    values = {"focus_area": focus_area, "her_words": her_words, "target_on": target_on}
    changed = [name for name, value in values.items() if getattr(goal, name) != value]
    if not changed:
        return goal
    for name, value in values.items():
        setattr(goal, name, value)
    goal.save()
    _audit(Action.CHANGE, by, enrolment, goal, fields=changed)
    return goal


@transaction.atomic
def change_goal_status(
    goal: Goal,
    *,
    by: User,
    status: str,
    on: datetime.date | None,
    expected_version: str | None = None,
) -> StatusChange | None:
    enrolment = goal.plan.enrolment
    _check_writer(enrolment, by)
    _lock(goal, expected_version)
    errors: Errors = {}
    _check_status(errors, "status", status)
    _check_past_date(errors, "on", on, enrolment, _("Give the date of the change."))
    _raise(errors)
    assert on is not None
    change = _move_status(goal, None, by=by, to=status, on=on)
    if change is not None:
        _audit(Action.CHANGE, by, enrolment, goal, fields=["status"], status=status)
    return change


@transaction.atomic
def add_step(goal: Goal, *, by: User, what: str, target_on: datetime.date | None = None) -> Step:
    enrolment = goal.plan.enrolment
    _check_writer(enrolment, by)
    what = what.strip()
    errors: Errors = {}
    _check_words(errors, "what", what, _("Write the step."))
    _check_target_date(errors, "target_on", target_on, enrolment)
    _raise(errors)
    step = Step.objects.create(goal=goal, what=what, target_on=target_on)
    StatusChange.objects.create(
        goal=goal,
        step=step,
        to_status=Status.NOT_STARTED,
        changed_on=timezone.localdate(),
        recorded_by=by,
    )
    _audit(Action.CREATE, by, enrolment, step, fields=["what", "target_on"])
    return step


@transaction.atomic
def edit_step(
    step: Step,
    *,
    by: User,
    what: str,
    target_on: datetime.date | None,
    status: str | None = None,
    on: datetime.date | None = None,
    expected_version: str | None = None,
) -> Step:
    """Change the step's words and target date and, when given, its status (dated `on`)."""
    enrolment = step.goal.plan.enrolment
    _check_writer(enrolment, by)
    _lock(step, expected_version)
    what = what.strip()
    errors: Errors = {}
    _check_words(errors, "what", what, _("Write the step."))
    _check_target_date(errors, "target_on", target_on, enrolment)
    moving = status is not None and status != step.status
    if status is not None:
        _check_status(errors, "status", status)
    if moving:
        _check_past_date(errors, "on", on, enrolment, _("Give the date of the change."))
    _raise(errors)
    changed = [
        name
        for name, value in {"what": what, "target_on": target_on}.items()
        if getattr(step, name) != value
    ]
    step.what, step.target_on = what, target_on
    if moving:
        assert status is not None
        assert on is not None
        _move_status(step.goal, step, by=by, to=status, on=on)
        changed.append("status")
    elif changed:
        step.save()
    if changed:
        _audit(Action.CHANGE, by, enrolment, step, fields=changed)
    return step


# --- reviews ----------------------------------------------------------------------------


@transaction.atomic
def record_review(
    enrolment: Enrolment,
    *,
    by: User,
    reviewed_on: datetime.date | None,
    decided: str,
    statuses: Mapping[Goal, str] | None = None,
    focus_areas: Iterable[FocusArea] | None = None,
    expected_version: str | None = None,
) -> PlanReview:
    """Record a review of her plan: what was decided, the goals whose status moved (dated
    the day of the review) and, when given, her current phase's phase plan. When a phase
    change asked for the review, the review is linked to it. Given `expected_version`
    (`review_version` as the writer saw it), refused with StaleVersion if her goals'
    statuses, her phase plan or her phase changed in between."""
    _check_writer(enrolment, by)
    if expected_version is not None:
        lock_if_current(enrolment, expected_version, _review_extra)
    decided = decided.strip()
    statuses = dict(statuses or {})
    areas = None if focus_areas is None else list(focus_areas)
    errors: Errors = {}
    _check_past_date(
        errors, "reviewed_on", reviewed_on, enrolment, _("Give the date of the review.")
    )
    _check_words(errors, "decided", decided, _("Write what was decided."))
    for goal, status in statuses.items():
        if goal.plan.enrolment_id != enrolment.pk:
            errors["statuses"] = _("Review goals of her plan only.")
        elif status not in Status.values:
            errors[f"goal_{goal.pk}"] = _("Choose a status.")
    if areas is not None:
        _check_focus_areas(errors, enrolment, areas)
    _raise(errors)
    assert reviewed_on is not None
    due_since = review_due_since(enrolment)
    prompted_by = (
        phase_change_event(enrolment)
        if due_since is not None and reviewed_on >= due_since
        else None
    )
    review = PlanReview.objects.create(
        enrolment=enrolment,
        reviewed_on=reviewed_on,
        phase=enrolment.current_phase,
        prompted_by=prompted_by,
        decided=decided,
        recorded_by=by,
    )
    refresh_after_commit(enrolment)
    moved = [
        goal
        for goal, status in statuses.items()
        if _move_status(goal, None, by=by, to=status, on=reviewed_on) is not None
    ]
    review.goals_changed.set(moved)
    if areas is not None:
        _write_phase_plan(
            enrolment,
            by=by,
            phase=enrolment.current_phase,
            focus_areas=areas,
            agreed_on=reviewed_on,
        )
    _audit(
        Action.CREATE,
        by,
        enrolment,
        review,
        fields=["reviewed_on", "decided"],
        goals_changed=[str(g.pk) for g in moved],
        prompted_by_phase_change=prompted_by is not None,
    )
    return review

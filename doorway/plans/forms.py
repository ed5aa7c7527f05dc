"""Plan forms: the shape of what was typed. The rules (dates, her program's focus areas,
one to three areas per phase) are checked again by `doorway.plans.actions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from doorway.enrolments.models import Enrolment
from doorway.people.forms import DateInput
from doorway.plans.models import Goal, Status
from doorway.programs.models import FocusArea
from doorway.web.forms import BootstrapForm, VersionedForm


def program_focus_areas(enrolment: Enrolment, keep: list[Any] | None = None) -> QuerySet[FocusArea]:
    """Her program's focus areas; retired ones only where a record already names them."""
    areas = FocusArea.objects.filter(program=enrolment.cycle.program_id)
    return (areas.filter(retired=False) | areas.filter(pk__in=keep or [])).order_by("order")


def past_date_field(label: StrOrPromise) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), initial=timezone.localdate)


class ServicePlanForm(VersionedForm, BootstrapForm, forms.Form):
    agreed_on = past_date_field(_("Date agreed with her"))
    her_words = forms.CharField(
        label=_("What she wants, in her own words"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "translate": "no"}),
        help_text=_("Printed on the plan she keeps."),
    )
    private_notes = forms.CharField(
        label=_("Private worker notes"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4, "translate": "no"}),
        help_text=_("For the care team only: never printed, never shown to a peer mentor."),
    )


class AreaChoiceField(forms.ModelChoiceField[FocusArea]):
    """A focus area, named in the page's language."""

    def label_from_instance(self, obj: FocusArea) -> str:
        return obj.local_name


class AreasChoiceField(forms.ModelMultipleChoiceField[FocusArea]):
    def label_from_instance(self, obj: FocusArea) -> str:
        return obj.local_name


class FocusAreasMixin:
    # The form it is mixed into has them; a focus-area field has a queryset.
    fields: dict[str, Any]

    def limit_areas(self, enrolment: Enrolment, keep: list[Any] | None = None) -> None:
        self.fields["focus_areas"].queryset = program_focus_areas(enrolment, keep)


class PhasePlanForm(VersionedForm, FocusAreasMixin, BootstrapForm, forms.Form):
    focus_areas = AreasChoiceField(
        label=_("Focus areas for this phase"),
        queryset=FocusArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One to three."),
    )
    agreed_on = past_date_field(_("Date agreed"))

    def __init__(self, *args: Any, enrolment: Enrolment, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "phase_plan_%s")
        super().__init__(*args, **kwargs)
        self.limit_areas(enrolment, (self.initial or {}).get("focus_areas"))


class GoalForm(VersionedForm, BootstrapForm, forms.Form):
    focus_area = AreaChoiceField(label=_("Focus area"), queryset=FocusArea.objects.none())
    her_words = forms.CharField(
        label=_("The goal, in her words"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "translate": "no"}),
    )
    target_on = forms.DateField(label=_("Target date"), required=False, widget=DateInput())

    def __init__(self, *args: Any, enrolment: Enrolment, goal: Goal | None = None, **kw: Any):
        if goal is not None:
            kw.setdefault(
                "initial",
                {
                    "focus_area": goal.focus_area_id,
                    "her_words": goal.her_words,
                    "target_on": goal.target_on,
                },
            )
        super().__init__(*args, **kw)
        fields: Any = self.fields
        fields["focus_area"].queryset = program_focus_areas(
            enrolment, [goal.focus_area_id] if goal else None
        )
        fields["focus_area"].empty_label = _("Choose…")


class StatusForm(VersionedForm, BootstrapForm, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    on = past_date_field(_("Date of the change"))


class StepForm(VersionedForm, BootstrapForm, forms.Form):
    what = forms.CharField(
        label=_("The step"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "translate": "no"}),
    )
    target_on = forms.DateField(label=_("Target date"), required=False, widget=DateInput())
    status = forms.ChoiceField(
        label=_("Status"), choices=Status.choices, initial=Status.NOT_STARTED
    )
    on = forms.DateField(
        label=_("Date of a status change"),
        required=False,
        widget=DateInput(),
        initial=timezone.localdate,
        help_text=_("Used only when the status changes."),
    )


class ReviewForm(VersionedForm, FocusAreasMixin, BootstrapForm, forms.Form):
    """The review, one status field per goal still on her plan, and optionally her
    current phase's phase plan."""

    reviewed_on = past_date_field(_("Date of the review"))
    decided = forms.CharField(
        label=_("What was decided"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4, "translate": "no"}),
        help_text=_("For the care team: not printed."),
    )
    focus_areas = AreasChoiceField(
        label=_("Focus areas for her current phase"),
        queryset=FocusArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One to three. Left as they are, the phase plan stays as it was agreed."),
    )

    def __init__(self, *args: Any, enrolment: Enrolment, goals: list[Goal], **kwargs: Any):
        kwargs.setdefault("auto_id", "review_%s")
        super().__init__(*args, **kwargs)
        self.goals = goals
        for goal in goals:
            field = self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=f"{goal.focus_area.local_name}: {goal.her_words}",
                choices=Status.choices,
                initial=goal.status,
                # Left out of a post: the goal keeps its status.
                required=False,
            )
            field.required_for_some = True  # type: ignore[attr-defined]  # a flag of ours on the field, read by the field template
        self.limit_areas(enrolment, (self.initial or {}).get("focus_areas"))
        self.style_fields()

    def goal_fields(self) -> list[forms.BoundField]:
        return [self[f"goal_{goal.pk}"] for goal in self.goals]

    def statuses(self) -> dict[Goal, str]:
        """Only the goals whose status was changed on the form."""
        data = self.cleaned_data
        chosen = {g: data.get(f"goal_{g.pk}") or g.status for g in self.goals}
        return {goal: status for goal, status in chosen.items() if status != goal.status}

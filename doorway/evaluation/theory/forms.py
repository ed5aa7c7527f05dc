"""Forms for the theory of change and the partner survey: the shape of what was typed.
The rules are checked again by the actions in `theory` and `survey`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorway.evaluation.models import (
    ChangeLink,
    ChangeStep,
    EvidenceRating,
    Interviewee,
    InterviewExcerpt,
    Reference,
    Relationship,
    StepKind,
)
from doorway.evaluation.survey import BENEFITS
from doorway.evaluation.theory.actions import indicators_for
from doorway.programs.models import KeyIngredient, PartnerAgency, Program
from doorway.web.forms import BootstrapForm

# What is typed here is the program's own words, not to be machine-translated.
TEXT = {"rows": 3, "translate": "no"}


class StepForm(BootstrapForm, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of step"), choices=[("", _("Choose…")), *StepKind.choices]
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    order = forms.IntegerField(
        label=_("Order"), min_value=0, max_value=999, initial=0, help_text=_("Lower comes first.")
    )

    def __init__(self, *args: Any, step: ChangeStep | None = None, **kwargs: Any) -> None:
        if step is not None:
            kwargs.setdefault("initial", {f: getattr(step, f) for f in self.base_fields})
        super().__init__(*args, **kwargs)


class StepChoiceField(forms.ModelChoiceField[ChangeStep]):
    def label_from_instance(self, obj: ChangeStep) -> str:
        return f"{obj.get_kind_display()}: {obj.title}"


class LinkForm(BootstrapForm, forms.Form):
    source = StepChoiceField(
        label=_("From"),
        queryset=ChangeStep.objects.none(),
        widget=forms.Select(attrs={"translate": "no"}),
    )
    target = StepChoiceField(
        label=_("Leads to"),
        queryset=ChangeStep.objects.none(),
        widget=forms.Select(attrs={"translate": "no"}),
    )
    assumptions = forms.CharField(
        label=_("Assumptions"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("What must hold for this step to lead to the next."),
    )
    risks = forms.CharField(
        label=_("Risks"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("What could stop it."),
    )
    alternative_explanations = forms.CharField(
        label=_("Alternative explanations"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("What else could explain the change, if it happens."),
    )

    def __init__(
        self, *args: Any, program: Program, link: ChangeLink | None = None, **kwargs: Any
    ) -> None:
        if link is not None:
            kwargs.setdefault(
                "initial",
                {
                    "source": link.source_id,
                    "target": link.target_id,
                    "assumptions": link.assumptions,
                    "risks": link.risks,
                    "alternative_explanations": link.alternative_explanations,
                },
            )
        super().__init__(*args, **kwargs)
        steps = ChangeStep.objects.filter(program=program)
        fields: Any = self.fields
        fields["source"].queryset = steps
        fields["target"].queryset = steps


class RatingForm(BootstrapForm, forms.Form):
    rating = forms.ChoiceField(
        label=_("Strength of the evidence"),
        choices=EvidenceRating.choices,
        widget=forms.RadioSelect,
    )
    rating_note = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("What the evidence shows, and what it lacks."),
    )


class IndicatorForm(BootstrapForm, forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("What the figure says about this link."),
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["indicator"].choices = [("", _("Choose…"))] + [
            (slug, indicator.name) for slug, indicator in indicators_for(program).items()
        ]


class ExcerptForm(BootstrapForm, forms.Form):
    interviewee = forms.ChoiceField(
        label=_("Who was interviewed"), choices=[("", _("Choose…")), *Interviewee.choices]
    )
    interviewed_on = forms.DateField(
        label=_("Date of the interview"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    text = forms.CharField(
        label=_("Excerpt"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "translate": "no"}),
        help_text=_(
            "Never a participant's name or anything that would identify her: write "
            "“a participant” or “she”. Doorway refuses an excerpt that contains a name of a "
            "participant."
        ),
    )
    mechanisms = forms.ModelMultipleChoiceField(
        label=_("Mechanisms it speaks to"),
        queryset=KeyIngredient.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The program's key ingredients."),
    )

    def __init__(
        self, *args: Any, program: Program, excerpt: InterviewExcerpt | None = None, **kwargs: Any
    ) -> None:
        if excerpt is not None:
            kwargs.setdefault(
                "initial",
                {
                    "interviewee": excerpt.interviewee,
                    "interviewed_on": excerpt.interviewed_on,
                    "text": excerpt.text,
                    "mechanisms": [m.pk for m in excerpt.mechanisms.all()],
                },
            )
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["mechanisms"].queryset = KeyIngredient.objects.filter(program=program)
        self.style_fields()

    def clean_interviewed_on(self) -> Any:
        value = self.cleaned_data.get("interviewed_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("An interview cannot be dated in the future."))
        return value


class ReferenceForm(BootstrapForm, forms.Form):
    citation = forms.CharField(
        label=_("Citation"), max_length=500, help_text=_("Authors, year, title, where published.")
    )
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("What it found that bears on this link."),
    )

    def __init__(self, *args: Any, reference: Reference | None = None, **kwargs: Any) -> None:
        if reference is not None:
            kwargs.setdefault("initial", {f: getattr(reference, f) for f in self.base_fields})
        super().__init__(*args, **kwargs)


class SurveyForm(BootstrapForm, forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partner agency"), queryset=PartnerAgency.objects.none()
    )
    year = forms.IntegerField(
        label=_("Year of the survey"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    relationship = forms.ChoiceField(
        label=_("How they rate the working relationship"),
        choices=Relationship.choices,
        widget=forms.RadioSelect,
    )
    benefits = forms.MultipleChoiceField(
        label=_("Benefits they have seen"),
        choices=BENEFITS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_benefits = forms.CharField(
        label=_("Other benefits they named"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("One per line, in a few words."),
    )
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("About the partnership; never about a participant."),
    )

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["partner"].queryset = partners

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        others = [line.strip() for line in data["other_benefits"].splitlines() if line.strip()]
        return {
            "partner": data["partner"],
            "year": data["year"],
            "relationship": data["relationship"],
            "benefits": [*data["benefits"], *others],
            "comments": data["comments"],
        }

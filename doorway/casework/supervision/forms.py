"""Supervision forms; the rules are checked again by `casework.supervision.actions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorway.enrolments.models import Enrolment
from doorway.people.forms import DateInput, StaffChoiceField
from doorway.people.models import User
from doorway.web.forms import BootstrapForm


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


class EnrolmentChoiceField(forms.ModelChoiceField[Enrolment]):
    """Read by the care team only, who see her name."""

    def label_from_instance(self, obj: Enrolment) -> str:
        return (
            f"{obj.participant.code} · {obj.participant.preferred_name} "
            f"({obj.current_phase.name}; {obj.case_manager})"
        )


class SessionForm(BootstrapForm, forms.Form):
    held_on = forms.DateField(label=_("Date held"), widget=DateInput())
    led_by = StaffChoiceField(label=_("Led by"), queryset=None)
    attendees = StaffMultipleChoiceField(
        label=_("Who attended"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, staff: QuerySet[User], user: User, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("held_on", timezone.localdate())
        initial.setdefault("led_by", user.pk)
        kwargs.setdefault("auto_id", "session_%s")
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["led_by"].queryset = staff
        fields["attendees"].queryset = staff
        self.style_fields()

    def clean_held_on(self) -> Any:
        value = self.cleaned_data.get("held_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("A session cannot be dated in the future."))
        return value


class ReviewForm(BootstrapForm, forms.Form):
    enrolment = EnrolmentChoiceField(
        label=_("Participant reviewed"),
        queryset=None,
        empty_label=_("Choose…"),
        error_messages={"invalid_choice": _("Choose a participant of this team's caseloads.")},
        # Her code, name, phase and case manager: data, not words to translate.
        widget=forms.Select(attrs={"translate": "no"}),
    )
    decisions = forms.CharField(
        label=_("Decisions taken"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Encrypted; read by her care team only."),
    )

    def __init__(self, *args: Any, enrolments: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "review_%s")
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["enrolment"].queryset = enrolments
        self.style_fields()

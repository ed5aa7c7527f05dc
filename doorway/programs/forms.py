"""Forms for a program's configuration. They parse and check input; the writes are in
`doorway.programs.actions`, which the views call with `cleaned_data`."""

from __future__ import annotations

from typing import Any

from django import forms

from doorway.programs.models import Cycle, FocusArea, PartnerAgency, Phase, ServiceKind
from doorway.web.forms import BootstrapForm, apply_errors


class PhaseForm(BootstrapForm, forms.ModelForm):
    class Meta:
        model = Phase
        fields = [
            "name",
            "description",
            "expected_days",
            "contact_cadence",
            "requires_service_consent",
            "requires_eligibility",
        ]
        labels = {
            "expected_days": "Expected days in this phase",
            "contact_cadence": "Expected contact",
            "requires_service_consent": "Needs her consent to service",
            "requires_eligibility": "Needs her to have been found eligible",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self) -> None:
        # The actions check uniqueness with messages of their own, and set the order.
        pass


class FocusAreaForm(BootstrapForm, forms.ModelForm):
    class Meta:
        model = FocusArea
        fields = ["name", "slug", "description"]
        labels = {"slug": "Short name"}
        help_texts = {
            "slug": "Lower-case letters, digits and hyphens; used in reports and exports.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self) -> None:
        pass


class CycleForm(BootstrapForm, forms.ModelForm):
    class Meta:
        model = Cycle
        fields = ["name", "starts_on", "ends_on"]
        labels = {"starts_on": "Starts on", "ends_on": "Ends on"}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "A cycle cannot end before it starts.")
        return data

    def validate_unique(self) -> None:
        pass


class PartnerForm(BootstrapForm, forms.ModelForm):
    services = forms.MultipleChoiceField(
        choices=ServiceKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Services offered",
    )

    class Meta:
        model = PartnerAgency
        fields = ["name", "services", "contact_name", "phone", "email", "address"]
        labels = {"contact_name": "Contact person"}

    def validate_unique(self) -> None:
        pass


__all__ = ["CycleForm", "FocusAreaForm", "PartnerForm", "PhaseForm", "apply_errors"]

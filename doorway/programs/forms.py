"""Forms for a program's configuration. They parse and check input; the writes are in
`doorway.programs.actions`, which the views call with `cleaned_data`."""

from __future__ import annotations

from typing import Any

from django import forms

from doorway.programs.models import (
    CostLine,
    Cycle,
    FocusArea,
    PartnerAgency,
    Phase,
    Program,
    ServiceKind,
)
from doorway.web.forms import BootstrapForm, VersionedForm, apply_errors


class PhaseForm(VersionedForm, BootstrapForm, forms.ModelForm[Phase]):
    class Meta:
        model = Phase
        fields = [
            "name",
            "name_fr",
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


class FocusAreaForm(VersionedForm, BootstrapForm, forms.ModelForm[FocusArea]):
    class Meta:
        model = FocusArea
        fields = ["name", "name_fr", "slug", "description"]
        labels = {"slug": "Short name"}
        help_texts = {
            "slug": "Lower-case letters, digits and hyphens; used in reports and exports.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self) -> None:
        pass


class CycleForm(VersionedForm, BootstrapForm, forms.ModelForm[Cycle]):
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


class PartnerForm(VersionedForm, BootstrapForm, forms.ModelForm[PartnerAgency]):
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


class MoneyField(forms.DecimalField):
    """Dollars and cents as people type them: "$1,250.50" is 1250.50. Anything else
    (words, a negative amount, fractions of a cent) is refused next to the field."""

    default_error_messages = {
        "invalid": "Enter the amount in dollars and cents, for example 1250.00.",
        "max_decimal_places": "Give the amount to the cent: at most two digits after the point.",
        "max_digits": "That amount is too large.",
        "max_whole_digits": "That amount is too large.",
        "min_value": "An amount cannot be negative.",
    }

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().replace(",", "").replace(" ", "").removeprefix("$")
        return super().to_python(value)


class CostLineForm(VersionedForm, BootstrapForm, forms.ModelForm[CostLine]):
    amount = MoneyField(
        label="Amount ($)",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        # Text, not number: a phone keypad with the point, and what she typed comes
        # back as typed when it is refused.
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    class Meta:
        model = CostLine
        fields = ["category", "description", "amount"]
        help_texts = {
            "category": "Evaluation costs are kept apart: they are not part of the operating cost.",
        }


__all__ = ["CostLineForm", "CycleForm", "FocusAreaForm", "PartnerForm", "PhaseForm", "apply_errors"]


class InformationSettingsForm(VersionedForm, BootstrapForm, forms.ModelForm[Program]):
    """Her information on her terms: how long a consent to share lasts by default, how
    long her record is kept after her last contact, and how often her safe-contact
    instructions are confirmed with her. Labels, help and limits are the model's."""

    class Meta:
        model = Program
        fields = ["consent_months", "retention_years", "safe_contact_check_days"]

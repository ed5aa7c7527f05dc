"""Transfer-of-care and closing-note forms; the rules are checked again by
`casework.transfer.actions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorway.people.forms import DateInput
from doorway.programs.models import PartnerAgency
from doorway.web.forms import BootstrapForm, VersionedForm


class PartnerChoiceField(forms.ModelMultipleChoiceField[PartnerAgency]):
    def label_from_instance(self, obj: PartnerAgency) -> str:
        return obj.name


def _not_future(value: Any) -> Any:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(_("It cannot be dated in the future."))
    return value


class TransferForm(BootstrapForm, forms.Form):
    met_on = forms.DateField(label=_("Date of the meeting"), widget=DateInput())
    supports = forms.CharField(
        label=_("Her long-term supports who took part"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: family, friends, a doctor, a sponsor. Encrypted."),
    )
    partners = PartnerChoiceField(
        label=_("Partner agencies who took part"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only those she has consented to share information with."),
    )
    agreed = forms.CharField(
        label=_("What was agreed"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Encrypted; read by her care team only."),
    )

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("met_on", timezone.localdate())
        kwargs.setdefault("auto_id", "transfer_%s")
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["partners"].queryset = partners
        self.style_fields()

    def clean_met_on(self) -> Any:
        return _not_future(self.cleaned_data.get("met_on"))


class ClosingNoteForm(VersionedForm, BootstrapForm, forms.Form):
    written_on = forms.DateField(label=_("Written on"), widget=DateInput())
    text = forms.CharField(
        label=_("Closing note"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Encrypted; earlier versions are kept."),
    )

    def __init__(self, *args: Any, note: Any = None, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        if note is not None:
            initial.setdefault("written_on", note.written_on)
            initial.setdefault("text", note.text)
        initial.setdefault("written_on", timezone.localdate())
        kwargs.setdefault("auto_id", "closing_%s")
        super().__init__(*args, **kwargs)

    def clean_written_on(self) -> Any:
        return _not_future(self.cleaned_data.get("written_on"))

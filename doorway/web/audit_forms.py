"""Forms of the audit pages: the log's filters, and breaking the glass."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from doorway.audit.models import Action
from doorway.web.forms import BootstrapForm


class LogFilterForm(BootstrapForm, forms.Form):
    participant = forms.CharField(
        required=False,
        max_length=16,
        label=_("Participant code"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    staff = forms.CharField(
        required=False,
        max_length=150,
        label=_("Staff member (username)"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    action = forms.ChoiceField(
        required=False, choices=[("", _("Any action")), *Action.choices], label=_("Action")
    )
    # Keyset pagination: entries older than `before`, or newer than `after`.
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean_participant(self) -> str:
        return str(self.cleaned_data["participant"]).strip().upper()

    def clean_staff(self) -> str:
        return str(self.cleaned_data["staff"]).strip()


class BreakGlassForm(BootstrapForm, forms.Form):
    code = forms.CharField(
        max_length=16,
        label=_("Participant code"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label=_("Why you need to read her record"),
        help_text=_(
            "Say what happened and why it cannot wait for her case manager or program "
            "manager. The reason is kept on the audit log for good."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=15,
        max_length=2000,
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip().upper()

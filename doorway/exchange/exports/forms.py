"""The date range an export of contacts or attendance covers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from doorway.people.forms import DateInput
from doorway.web.forms import BootstrapForm

FORMATS = {"csv": "CSV", "xlsx": gettext_lazy("Excel (XLSX)")}


class RangeForm(BootstrapForm, forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        # One form per export on the page: ids apart.
        self.kind = kind
        kwargs.setdefault("auto_id", f"{kind}_%s")
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["start"].help_text = gettext("Leave empty to start from the first record.")
        fields["end"].help_text = gettext("Leave empty to go up to today. Both dates are included.")
        fields["start"].error_messages["invalid"] = gettext("Give the first day as a date.")
        fields["end"].error_messages["invalid"] = gettext("Give the last day as a date.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", gettext("The last day comes before the first; swap them."))
        return data

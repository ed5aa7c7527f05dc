from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doorway.people.forms import DateInput
from doorway.subject_access.models import SubjectAccessRequest
from doorway.subject_access.render import Format
from doorway.web.forms import BootstrapForm


class RequestForm(BootstrapForm, forms.Form):
    received_on = forms.DateField(
        label=_("The day she asked"),
        widget=DateInput(),
        help_text=_("Her answer is due 30 days after this day."),
    )


class CopyForm(BootstrapForm, forms.Form):
    format = forms.ChoiceField(
        label=_("Make it as"),
        choices=[
            (Format.PDF, _("PDF, for her to read")),
            (Format.JSON, _("JSON, for another system")),
        ],
        initial=Format.PDF,
        widget=forms.RadioSelect,
    )
    answers = forms.ChoiceField(
        label=_("This answers her request"),
        required=False,
        help_text=_("Marks the request as answered today."),
    )

    def __init__(
        self, *args: Any, waiting: list[SubjectAccessRequest] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        waiting = waiting or []
        field: Any = self.fields["answers"]
        field.choices = [("", _("No request: make a copy only"))] + [
            (str(r.pk), _("asked on %(day)s") % {"day": r.received_on.isoformat()}) for r in waiting
        ]
        if waiting:
            field.initial = str(waiting[0].pk)

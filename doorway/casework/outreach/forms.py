"""Outreach forms: the shape of what was typed. The rules are checked again by the
actions in `casework.outreach.actions`."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorway.casework.models import Material, OutreachContact, OutreachKind
from doorway.casework.outreach.actions import MAX_WOMEN
from doorway.people.forms import DateInput
from doorway.web.forms import BootstrapForm

NUMBER = {"inputmode": "numeric"}


class OutreachForm(BootstrapForm, forms.Form):
    happened_on = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(
        label=_("Kind of outreach"), choices=OutreachKind.choices, widget=forms.RadioSelect
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        help_text=_(
            "A description such as “east-end stroll” or “women's shelter”: "
            "never an address or a person's name."
        ),
    )
    women_reached = forms.IntegerField(
        label=_("Number of women reached"),
        min_value=1,
        max_value=MAX_WOMEN,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    materials = forms.MultipleChoiceField(
        label=_("Materials given"),
        choices=Material.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    referrals_in = forms.IntegerField(
        label=_("Women who asked to be referred"),
        min_value=0,
        max_value=MAX_WOMEN,
        initial=0,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    nickname = forms.CharField(
        label=_("Nickname"),
        required=False,
        max_length=80,
        help_text=_("Only if she gave one and agreed to it being noted. Encrypted."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Encrypted. Nothing that would identify anyone."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("happened_on", timezone.localdate())
        kwargs.setdefault("auto_id", "outreach_%s")
        super().__init__(*args, **kwargs)

    def clean_happened_on(self) -> Any:
        value = self.cleaned_data.get("happened_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("Outreach cannot be dated in the future."))
        return value

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class PeriodForm(BootstrapForm, forms.Form):
    """The pre-phase summary's date range (dates only: nothing personal in the URL)."""

    start = forms.DateField(label=_("From"), widget=DateInput(), required=False)
    end = forms.DateField(label=_("To"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "period_%s")
        super().__init__(*args, **kwargs)

    def period(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - datetime.timedelta(days=89)
        if start > end:
            start, end = end, start
        return start, end


class NicknameForm(BootstrapForm, forms.Form):
    nickname = forms.CharField(
        label=_("Nickname she was known by"),
        required=False,
        max_length=80,
        help_text=_("An exact match (case and accents do not matter)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "find_%s")
        super().__init__(*args, **kwargs)


class LinkForm(BootstrapForm, forms.Form):
    contacts = forms.ModelMultipleChoiceField(
        label=_("Outreach contacts to link"),
        queryset=OutreachContact.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose the outreach contacts to link."),
            "invalid_choice": _("Choose outreach contacts of her program that are not linked."),
        },
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "link_%s")
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = candidates  # type: ignore[attr-defined]  # a ModelMultipleChoiceField, typed as a Field

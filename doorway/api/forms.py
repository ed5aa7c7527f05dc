from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from doorway.api.models import Scope
from doorway.api.tokens import MAX_DAYS, NAME_LENGTH
from doorway.web.forms import BootstrapForm

LIFETIMES = [(7, _("7 days")), (30, _("30 days")), (90, _("90 days")), (MAX_DAYS, _("A year"))]


class TokenForm(BootstrapForm, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_LENGTH,
        help_text=_("What it is for, so you recognise it later (e.g. “Monthly report script”)."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=Scope.choices,
        initial=Scope.READ,
        widget=forms.RadioSelect,
        help_text=_("Read only is safer: a copied read-only token cannot change any record."),
    )
    expires = forms.TypedChoiceField(
        label=_("Expires after"),
        choices=LIFETIMES,
        coerce=int,
        initial=30,
    )

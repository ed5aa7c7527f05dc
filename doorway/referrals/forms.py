"""Referral forms: the shape of what was typed. `actions` checks the rules again
(dates, the partner's services, her consent to share)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorway.enrolments.models import Enrolment
from doorway.people.forms import DateInput
from doorway.programs.models import PartnerAgency
from doorway.referrals.actions import MAX_NOTE, partners_for
from doorway.referrals.models import SERVICE_KINDS, Referral, ReferralStatus
from doorway.web.forms import BootstrapForm, VersionedForm


class ReferralForm(BootstrapForm, forms.Form):
    service_kind = forms.ChoiceField(label=_("Kind of service"))
    partner = forms.ModelChoiceField(
        label=_("Partner agency"), queryset=PartnerAgency.objects.none(), empty_label=_("Choose…")
    )
    shares_information = forms.BooleanField(
        label=_("This referral shares her information with the partner"), required=False
    )
    made_on = forms.DateField(label=_("Date of the referral"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Encrypted. What she needs from them; never needed for the referral."),
    )

    def __init__(
        self, *args: Any, enrolment: Enrolment, consented: list[PartnerAgency], **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("made_on", timezone.localdate())
        kwargs.setdefault("auto_id", "referral_%s")
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["service_kind"].choices = [("", _("Choose…")), *SERVICE_KINDS]
        kind = self.data.get("service_kind") or self.initial.get("service_kind") or ""
        offering = partners_for(enrolment, kind if kind in dict(SERVICE_KINDS) else "")
        fields["partner"].queryset = PartnerAgency.objects.filter(
            pk__in=[p.pk for p in offering]
        ).order_by("name")
        names = ", ".join(p.name for p in consented)
        fields["shares_information"].help_text = (
            _("Needs her information-sharing consent for the partner. In force today: %(names)s.")
            % {"names": names}
            if names
            else _("Needs her information-sharing consent for the partner; she has none in force.")
        )
        self.style_fields()

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "service_kind": data["service_kind"],
            "partner": data["partner"],
            "shares_information": bool(data.get("shares_information")),
            "made_on": data["made_on"],
            "note": data.get("note") or "",
        }


class StatusField(forms.ChoiceField):
    """Offers the steps that may follow; any status passes here, so that a step that
    may not follow is refused by the action with a message saying why."""

    def valid_value(self, value: Any) -> bool:
        return value in ReferralStatus.values


class ReferralUpdateForm(VersionedForm, BootstrapForm, forms.Form):
    status = StatusField(label=_("What happened"), widget=forms.RadioSelect)
    dated_on = forms.DateField(label=_("On"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Encrypted and read only by the care team."),
    )

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("dated_on", timezone.localdate())
        kwargs.setdefault("auto_id", "update_%s")
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["status"].choices = [(s.value, s.label) for s in referral.next_statuses()]
        self.style_fields()

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "status": data["status"],
            "dated_on": data["dated_on"],
            "note": data.get("note") or "",
        }

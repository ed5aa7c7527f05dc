"""Forms for the participant pages. They check the shape of what was typed; the rules
(who may, what is allowed) are in `doorway.people.actions` and the access rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from doorway.concurrency import version_of
from doorway.people.actions import default_consent_end, give_consent
from doorway.people.models import (
    ConsentKind,
    FlagKind,
    Language,
    Participant,
    SharingScope,
    User,
)
from doorway.programs.models import PartnerAgency, ServiceKind
from doorway.web.forms import BootstrapForm, VersionedForm, apply_errors


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class StaffChoiceField(forms.ModelChoiceField[User]):
    """Staff shown by their name and never by anything else."""

    def label_from_instance(self, obj: User) -> str:
        return str(obj)


# One form styling for all of Doorway; the old name is kept for this app's forms.
BootstrapMixin = BootstrapForm


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Code or name"),
        max_length=200,
        required=False,
        help_text=_("A participant code (or its beginning), or one of her names in full."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "form-control"}
        ),
    )


def names_from(data: dict[str, Any]) -> list[str]:
    """Every name she was registered with: preferred, legal and each alias."""
    names = [data.get("preferred_name") or "", data.get("legal_name") or ""]
    names += (data.get("aliases") or "").splitlines()
    return [n.strip() for n in names if n and n.strip()]


class IdentityFields(forms.Form):
    """What identifies her. Encrypted at rest; only staff who see identity read it."""

    preferred_name = forms.CharField(
        label=_("Preferred name"),
        max_length=200,
        help_text=_("The name she wants to be called; the only name a peer mentor sees."),
    )
    legal_name = forms.CharField(label=_("Legal name"), max_length=200, required=False)
    aliases = forms.CharField(
        label=_("Other names she is known by"),
        required=False,
        help_text=_("One a line."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    safe_contact = forms.CharField(
        label=_("Safe-contact instructions"),
        required=False,
        help_text=_("How and when it is safe to reach her, and what never to do."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_date_of_birth(self) -> Any:
        value = self.cleaned_data.get("date_of_birth")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("A date of birth cannot be in the future."))
        return value

    def clean_aliases(self) -> str:
        lines = (self.cleaned_data.get("aliases") or "").splitlines()
        return "\n".join(line.strip() for line in lines if line.strip())


class IdentityForm(VersionedForm, BootstrapMixin, IdentityFields):
    # Only on the edit form: registration keeps the default (English) until it is asked.
    preferred_language = forms.ChoiceField(
        label=_("Her language"),
        choices=Language.choices,
        help_text=_("Her printed plan and her star chart are in this language."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()

    @classmethod
    def values_of(cls, participant: Participant) -> dict[str, Any]:
        return {name: getattr(participant, name) for name in cls.base_fields}

    @classmethod
    def for_participant(cls, participant: Participant) -> IdentityForm:
        return cls(initial=cls.values_of(participant), version=version_of(participant))


class DuplicateCheckForm(forms.Form):
    """The few fields the likely-duplicate warning is computed from, while typing."""

    preferred_name = forms.CharField(required=False, max_length=200)
    legal_name = forms.CharField(required=False, max_length=200)
    aliases = forms.CharField(required=False)
    date_of_birth = forms.DateField(required=False)

    def names(self) -> list[str]:
        return names_from(self.cleaned_data)


class SafetyFlagForm(BootstrapMixin, forms.Form):
    # Its own ids: it shares the participant page with the consent forms.
    kind = forms.ChoiceField(
        label=_("Safety flag"), choices=[("", _("Choose…")), *FlagKind.choices]
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("Needed for “Other”. Everyone who reaches her reads it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "flag_%s")
        super().__init__(*args, **kwargs)
        self.style_fields()


class PartnerChoiceField(forms.ModelChoiceField[PartnerAgency]):
    def label_from_instance(self, obj: PartnerAgency) -> str:
        return str(obj.name)


class ConsentForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("She consents to"), choices=ConsentKind.choices)
    partner = PartnerChoiceField(
        label=_("Partner agency"),
        queryset=PartnerAgency.objects.none(),
        required=False,
        empty_label=_("None (not information sharing)"),
        help_text=_(
            "Required for consent to share her information: the partner she agrees to "
            "share with, unless she agrees to any partner of a kind (below). Leave it at "
            "None for the other consents."
        ),
    )
    # Not "(optional)": information sharing needs it, and the help text says so.
    partner.required_for_some = True  # type: ignore[attr-defined]  # a flag of ours on the field, read by the field template
    partner_kind = forms.ChoiceField(
        label=_("Or any partner offering"),
        choices=[("", _("None (a named partner)")), *ServiceKind.choices],
        required=False,
        help_text=_("When she agrees to share with any partner of this kind, none named."),
    )
    # Nothing ticked at first: she chooses what may leave, item by item.
    scope = forms.MultipleChoiceField(
        label=_("What may be shared"),
        choices=SharingScope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For consent to share: what she agrees the partner may receive."),
    )
    given_on = forms.DateField(label=_("Given on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), widget=DateInput(), required=False)
    ends_on.required_for_some = True  # type: ignore[attr-defined]  # as partner's

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("given_on", timezone.localdate())
        kwargs.setdefault("auto_id", "consent_%s")
        super().__init__(*args, **kwargs)
        self.participant = participant
        fields: Any = self.fields
        fields["partner"].queryset = PartnerAgency.objects.filter(
            agency=participant.agency_id, active=True
        ).order_by("name")
        default_end = default_consent_end(participant, timezone.localdate())
        months = (default_end.year - timezone.localdate().year) * 12 + (
            default_end.month - timezone.localdate().month
        )
        fields["ends_on"].help_text = ngettext(
            "For consent to share: the day it lapses. Left empty, it lasts her program's "
            "%(n)s month from the day it was given (today: until %(day)s).",
            "For consent to share: the day it lapses. Left empty, it lasts her program's "
            "%(n)s months from the day it was given (today: until %(day)s).",
            months,
        ) % {"n": months, "day": date_format(default_end)}
        self.style_fields()

    def record(self, by: User) -> bool:
        """Gives the consent the form holds; False, with the refusal on the form, when it
        is invalid or refused. Every page that records consent goes through here."""
        if not self.is_valid():
            return False
        data = self.cleaned_data
        sharing = data["kind"] == ConsentKind.INFORMATION_SHARING
        try:
            give_consent(
                self.participant,
                kind=data["kind"],
                partner=data["partner"],
                partner_kind=data["partner_kind"],
                scope=data["scope"] if sharing else (data["scope"] or None),
                given_on=data["given_on"],
                ends_on=data["ends_on"],
                by=by,
            )
        except ValidationError as refusal:
            apply_errors(self, refusal)
            return False
        return True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        named = data.get("partner") or data.get("partner_kind")
        if data.get("kind") == ConsentKind.INFORMATION_SHARING and not named:
            # The help text says a kind of partner will do where the form offers one.
            self.add_error("partner", _("Name the partner agency she agrees to share with."))
        elif data.get("kind") != ConsentKind.INFORMATION_SHARING and named:
            self.add_error("partner", _("Only information sharing names a partner agency."))
        return data


class WithdrawConsentForm(BootstrapMixin, forms.Form):
    on = forms.DateField(label=_("Withdrawn on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.style_fields()

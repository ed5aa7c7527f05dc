"""The caseload's forms: its filters (read from the address), and a snooze."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from doorway.caseload.models import SNOOZE_MAX_DAYS
from doorway.caseload.queries import phase_label
from doorway.enrolments.due import DueKind
from doorway.programs.models import Phase
from doorway.web.forms import BootstrapForm

# The kinds of work, as the filter names them.
KIND_NAMES = {
    DueKind.CONTACT: _("Contact"),
    DueKind.PHASE_REVIEW: _("Plan review"),
    DueKind.PHASE_OVERSTAYED: _("Longer than expected in a phase"),
    DueKind.FOLLOW_UP: _("Follow-up after graduation"),
    DueKind.REFERRAL_NEWS: _("Referral without news"),
    DueKind.CLOSING_NOTE: _("Closing note"),
    DueKind.SAFE_CONTACT: _("Safe-contact check"),
}


class _NamesAsData(forms.Select):
    """A phase's name is the agency's own words (in French where it wrote them): marked
    as data, as her record's names are, for the translation tools and tests."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)
        if option["value"]:
            option["attrs"]["translate"] = "no"
        return option


class CaseloadFilter(BootstrapForm, forms.Form):
    """`?kind=contact&phase=<id>`: what she wants to see. A value that is not one of the
    choices is refused with the form's message, and the whole caseload shown."""

    kind = forms.ChoiceField(label=_("Kind of work"), required=False)
    phase = forms.ChoiceField(label=_("Phase"), required=False, widget=_NamesAsData)

    def __init__(self, data: Any, *, phases: list[tuple[Phase, int]]) -> None:
        super().__init__(data)
        self.phases = {str(phase.pk): phase for phase, _number in phases}
        several_programs = len({phase.program_id for phase, _number in phases}) > 1
        kinds = self.fields["kind"]
        phase_field = self.fields["phase"]
        assert isinstance(kinds, forms.ChoiceField)
        assert isinstance(phase_field, forms.ChoiceField)
        kinds.choices = [("", _("Every kind")), *KIND_NAMES.items()]
        phase_field.choices = [
            ("", _("Every phase")),
            *(
                (
                    str(phase.pk),
                    f"{phase.program.name}: {phase_label(phase, number)}"
                    if several_programs
                    else phase_label(phase, number),
                )
                for phase, number in phases
            ),
        ]
        for name in ("kind", "phase"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "There is no such choice here. The whole caseload is shown instead."
            )

    def chosen_phase(self) -> Phase | None:
        return self.phases.get(self.cleaned_data.get("phase") or "")


class SnoozeForm(BootstrapForm, forms.Form):
    kind = forms.ChoiceField(choices=DueKind.choices, widget=forms.HiddenInput)
    subject = forms.UUIDField(required=False, widget=forms.HiddenInput)
    until = forms.DateField(
        label=_("Snooze until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Her case team reads this on the caseload."),
        max_length=500,
        error_messages={"required": _("Say why, for her case team.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["until"].help_text = ngettext(
            "At most %(days)s day from today.", "At most %(days)s days from today.", SNOOZE_MAX_DAYS
        ) % {"days": SNOOZE_MAX_DAYS}

    def clean_until(self) -> datetime.date:
        until: datetime.date = self.cleaned_data["until"]
        today = timezone.localdate()
        if until <= today:
            raise ValidationError(_("Choose a day after today."))
        if until > today + datetime.timedelta(days=SNOOZE_MAX_DAYS):
            raise ValidationError(
                ngettext(
                    "A snooze lasts at most %(days)s day.",
                    "A snooze lasts at most %(days)s days.",
                    SNOOZE_MAX_DAYS,
                )
                % {"days": SNOOZE_MAX_DAYS}
            )
        return until

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why, for her case team."))
        return reason


class LiftSnoozeForm(forms.Form):
    snooze = forms.UUIDField(widget=forms.HiddenInput)

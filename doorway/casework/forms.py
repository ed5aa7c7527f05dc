"""The contact form: the shape of what was typed. The rules (dates, kinds a role may
record, the program's focus areas) are checked again by `actions.check_contact`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from doorway.casework import permissions
from doorway.casework.models import MAX_MINUTES, Contact
from doorway.enrolments.dates import CONTACT, date_problem
from doorway.enrolments.models import Enrolment
from doorway.people.forms import BootstrapMixin, DateInput
from doorway.people.models import User
from doorway.plans.models import OPEN_STATUSES, Goal
from doorway.programs.models import FocusArea, KeyIngredient
from doorway.web.forms import VersionedForm


class GoalChoiceField(forms.ModelMultipleChoiceField[Goal]):
    """A goal shown by its focus area and the start of her words."""

    def label_from_instance(self, obj: Goal) -> str:
        words = obj.her_words if len(obj.her_words) <= 80 else obj.her_words[:79] + "…"
        return f"{obj.focus_area.name}: {words}"


class ContactForm(VersionedForm, BootstrapMixin, forms.Form):
    happened_on = forms.DateField(label=_("Date of the contact"), widget=DateInput())
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=1,
        max_value=MAX_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        # The action's own words, not Django's "Ensure this value is greater than...".
        error_messages=dict.fromkeys(
            ("min_value", "max_value", "invalid"),
            format_lazy(_("Give a duration from 1 to {most} minutes."), most=MAX_MINUTES),
        ),
    )
    kind = forms.ChoiceField(label=_("Kind of contact"))
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Focus areas addressed"),
        queryset=FocusArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    goals = GoalChoiceField(
        label=_("Goals addressed"),
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Her open goals."),
    )
    ingredients = forms.ModelMultipleChoiceField(
        label=_("Key ingredients at work"),
        queryset=KeyIngredient.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The program's mechanisms this contact shows; counted for the evaluation."),
    )
    note = forms.CharField(
        label=_("Case note"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Encrypted and read only by the care team. Required except for peer contacts."),
    )
    note.required_for_some = True  # type: ignore[attr-defined]  # a flag of ours on the field, read by the field template

    def __init__(
        self,
        *args: Any,
        enrolment: Enrolment,
        user: User,
        contact: Contact | None = None,
        **kwargs: Any,
    ) -> None:
        if contact is not None:
            kwargs.setdefault("initial", self.values_of(contact))
        else:
            kwargs.setdefault("initial", {}).setdefault("happened_on", timezone.localdate())
        kwargs.setdefault("auto_id", "contact_%s")
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment
        fields: Any = self.fields
        kinds = permissions.kinds_for(user)
        fields["kind"].choices = [("", _("Choose…"))] + [(k.value, k.label) for k in kinds]
        if len(kinds) == 1:
            fields["kind"].initial = kinds[0].value
        areas = FocusArea.objects.filter(program=enrolment.cycle.program_id)
        chosen = [a.pk for a in contact.focus_areas.all()] if contact is not None else []
        # Retired areas are offered only where a contact already names them.
        fields["focus_areas"].queryset = areas.filter(retired=False) | areas.filter(pk__in=chosen)
        if permissions.reads_case_notes(user):
            # Her open goals, and any closed one this contact already names.
            linked = [g.pk for g in contact.goals.all()] if contact is not None else []
            goals = Goal.objects.filter(plan__enrolment=enrolment)
            fields["goals"].queryset = (
                goals.filter(status__in=OPEN_STATUSES) | goals.filter(pk__in=linked)
            ).select_related("focus_area")
            fields["ingredients"].queryset = KeyIngredient.objects.filter(
                program=enrolment.cycle.program_id
            )
        else:
            # Her plan is the care team's: a peer mentor does not see her goals. Tagging
            # the program's mechanisms is the care team's too.
            del fields["goals"]
            del fields["ingredients"]
        self.style_fields()

    @staticmethod
    def values_of(contact: Contact) -> dict[str, Any]:
        """The stored contact, as the form's fields hold it."""
        return {
            "happened_on": contact.happened_on,
            "duration_minutes": contact.duration_minutes,
            "kind": contact.kind,
            "focus_areas": [a.pk for a in contact.focus_areas.all()],
            "goals": [g.pk for g in contact.goals.all()],
            "ingredients": [i.pk for i in contact.ingredients.all()],
            "note": contact.note,
        }

    def clean_happened_on(self) -> Any:
        """Checked here too, so that the date's message shows with the others."""
        value = self.cleaned_data.get("happened_on")
        if value is not None:
            problem = date_problem(value, self.enrolment, cannot=CONTACT)
            if problem:
                raise forms.ValidationError(problem)
        return value

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "happened_on": data["happened_on"],
            "duration_minutes": data["duration_minutes"],
            "kind": data["kind"],
            "focus_areas": list(data["focus_areas"]),
            "note": data.get("note") or "",
            **({"goals": list(data["goals"])} if "goals" in self.fields else {}),
            **({"ingredients": list(data["ingredients"])} if "ingredients" in self.fields else {}),
        }

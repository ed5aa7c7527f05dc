"""Drop-in forms: starting a session, searching for a walk-in. The rules are checked
again by `actions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorway.dropins import permissions
from doorway.dropins.models import SessionKind
from doorway.people.forms import DateInput
from doorway.people.models import User
from doorway.programs.models import Program
from doorway.web.forms import BootstrapForm


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


class SessionForm(BootstrapForm, forms.Form):
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())
    kind = forms.ChoiceField(
        label=_("Kind of session"), choices=SessionKind.choices, widget=forms.RadioSelect
    )
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    topic = forms.CharField(
        label=_("Topic"),
        required=False,
        max_length=200,
        help_text=_("Required for a group. A subject, never a participant's name."),
    )
    topic.required_for_some = True  # type: ignore[attr-defined]  # a flag of ours on the field, read by the field template
    facilitators = StaffMultipleChoiceField(
        label=_("Facilitators"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("held_on", timezone.localdate())
        initial.setdefault("kind", SessionKind.DROP_IN)
        initial.setdefault("facilitators", [user.pk])
        kwargs.setdefault("auto_id", "session_%s")
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        programs = permissions.programs_for(user).order_by("name")
        fields["program"].queryset = programs
        if len(programs) == 1:
            fields["program"].initial = programs[0].pk
            fields["program"].widget = forms.HiddenInput()
        fields["facilitators"].queryset = (
            User.objects.filter(programs__in=programs, role__in=permissions.TAKERS, is_active=True)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.style_fields()

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "held_on": data["held_on"],
            "topic": data.get("topic") or "",
            "facilitators": list(data["facilitators"]),
        }


class WalkInSearchForm(BootstrapForm, forms.Form):
    q = forms.CharField(
        label=_("Her preferred name, or its first letters"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "search"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "walkin_%s")
        super().__init__(*args, **kwargs)

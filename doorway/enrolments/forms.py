"""Forms for the enrolment page: a phase move, an eligibility decision, assignments.

They check what was typed against what the phase machine offers; the machine itself
(`Enrolment.allowed_moves`, `make_move`) has the last word.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from doorway.enrolments.models import Eligibility, Enrolment, Move, ReferralSource
from doorway.enrolments.reach import case_managers_covered_by
from doorway.people.capabilities import Action, programs_for
from doorway.people.forms import (
    BootstrapMixin,
    DateInput,
    IdentityFields,
    StaffChoiceField,
    names_from,
)
from doorway.people.models import User
from doorway.people.roles import Role
from doorway.programs.models import Cycle


class MoveForm(BootstrapMixin, forms.Form):
    """One of the moves `allowed_moves()` offers, with its reason and date."""

    move = forms.ChoiceField(label=_("What happens next"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to skip a phase, to exit and to reopen."),
    )
    # Not "(optional)": most moves need it, and the help text says which.
    reason.required_for_some = True  # type: ignore[attr-defined]  # a flag of ours on the field, read by the field template
    on = forms.DateField(label=_("Effective date"), widget=DateInput())

    def __init__(self, *args: Any, moves: list[Move], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        # Each form on the enrolment page has its own ids; the names stay plain.
        kwargs.setdefault("auto_id", "move_%s")
        super().__init__(*args, **kwargs)
        self.moves = moves
        fields: Any = self.fields
        fields["move"].choices = [(m.key, m.label) for m in moves]
        self.style_fields()

    def clean_on(self) -> Any:
        value = self.cleaned_data.get("on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("A move cannot be dated in the future."))
        return value

    def chosen(self) -> Move | None:
        key = self.cleaned_data.get("move")
        return next((m for m in self.moves if m.key == key), None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        move = self.chosen()
        if move is None:
            return data
        if move.blocked_because:
            self.add_error("move", move.blocked_because)
        elif move.needs_reason and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why: this move needs a reason on the record."))
        return data

    def options(self) -> list[dict[str, Any]]:
        """The moves as the template renders them: blocked ones disabled, with why."""
        selected = self.data.get(self.add_prefix("move")) if self.is_bound else None
        return [
            {
                "move": move,
                "id": f"move-{index}",
                "checked": move.key == selected,
            }
            for index, move in enumerate(self.moves)
        ]


class UndoForm(BootstrapMixin, forms.Form):
    """Why a move is taken back: always on the record."""

    reason = forms.CharField(
        label=_("Why undo it?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: chosen by mistake; she was moved on the wrong record."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "undo_%s")
        super().__init__(*args, **kwargs)
        self.style_fields()


class EligibilityForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Eligibility.ELIGIBLE, Eligibility.ELIGIBLE.label),
            (Eligibility.NOT_ELIGIBLE, Eligibility.NOT_ELIGIBLE.label),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example, which of the risk factors she has."),
    )
    on = forms.DateField(label=_("Decided on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        kwargs.setdefault("auto_id", "eligibility_%s")
        super().__init__(*args, **kwargs)
        self.style_fields()


def staff_of(enrolment: Enrolment, role: str) -> QuerySet[User]:
    return (
        User.objects.filter(
            role=role,
            is_active=True,
            agency=enrolment.participant.agency_id,
            programs=enrolment.cycle.program_id,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class AssignForm(BootstrapMixin, forms.Form):
    case_manager = StaffChoiceField(label=_("Case manager"), queryset=User.objects.none())
    peer_mentor = StaffChoiceField(
        label=_("Peer mentor"),
        queryset=User.objects.none(),
        required=False,
        empty_label=pgettext_lazy("no peer mentor", "None"),
    )
    reason = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, enrolment: Enrolment, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"case_manager": enrolment.case_manager_id, "peer_mentor": enrolment.peer_mentor_id},
        )
        kwargs.setdefault("auto_id", "assign_%s")
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["case_manager"].queryset = staff_of(enrolment, Role.CASE_MANAGER)
        fields["peer_mentor"].queryset = staff_of(enrolment, Role.PEER_MENTOR)
        self.style_fields()


# --- registering her: a participant and her first enrolment ---------------------------


class CycleChoiceField(forms.ModelChoiceField[Cycle]):
    def label_from_instance(self, obj: Cycle) -> str:
        return f"{obj.program.local_name}: {obj.name}"


def case_managers_for(user: User) -> QuerySet[User]:
    """Whom she may put a new participant with: a case manager chooses herself or a
    teammate (whose caseload she shares), a program manager any case manager of her
    programs."""
    active = User.objects.filter(role=Role.CASE_MANAGER, is_active=True, agency=user.agency_id)
    if user.role == Role.CASE_MANAGER:
        return active.filter(pk__in=case_managers_covered_by(user))
    return active.filter(programs__in=programs_for(user, Action.REGISTER_PARTICIPANTS)).distinct()


def peer_mentors_for(user: User) -> QuerySet[User]:
    return User.objects.filter(
        role=Role.PEER_MENTOR,
        is_active=True,
        agency=user.agency_id,
        programs__in=programs_for(user, Action.REGISTER_PARTICIPANTS),
    ).distinct()


class RegisterForm(BootstrapMixin, IdentityFields):
    cycle = CycleChoiceField(
        label=_("Program cycle"),
        queryset=Cycle.objects.none(),
        empty_label=_("Choose…"),
    )
    referral_source = forms.ChoiceField(
        label=_("Referred by"),
        choices=[("", _("Choose…")), *ReferralSource.choices],
    )
    referred_on = forms.DateField(label=_("Referral date"), widget=DateInput())
    case_manager = StaffChoiceField(
        label=_("Case manager"), queryset=User.objects.none(), empty_label=_("Choose…")
    )
    peer_mentor = StaffChoiceField(
        label=_("Peer mentor"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("None for now"),
    )
    different_person = forms.BooleanField(
        label=_("I have checked: she is a different person from the likely match."),
        required=False,
    )

    field_order = [
        "preferred_name",
        "legal_name",
        "aliases",
        "date_of_birth",
        "phone",
        "email",
        "safe_contact",
        "cycle",
        "referral_source",
        "referred_on",
        "case_manager",
        "peer_mentor",
        "different_person",
    ]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("referred_on", timezone.localdate())
        if user.role == Role.CASE_MANAGER:
            kwargs["initial"].setdefault("case_manager", user.pk)
        super().__init__(*args, **kwargs)
        cycles = (
            # Only cycles still running take new intakes.
            Cycle.objects.filter(
                program__in=programs_for(user, Action.REGISTER_PARTICIPANTS),
                program__agency=user.agency_id,
                ends_on__gte=timezone.localdate(),
            )
            .select_related("program")
            .order_by("program__name", "-starts_on")
        )
        fields: Any = self.fields
        fields["cycle"].queryset = cycles
        if "cycle" not in self.initial and len(cycles) == 1:
            self.initial["cycle"] = cycles[0].pk
        fields["case_manager"].queryset = case_managers_for(user).order_by(
            "first_name", "last_name", "username"
        )
        fields["peer_mentor"].queryset = peer_mentors_for(user).order_by(
            "first_name", "last_name", "username"
        )
        self.style_fields()

    def clean_referred_on(self) -> Any:
        value = self.cleaned_data.get("referred_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("The referral date cannot be in the future."))
        return value

    def names(self) -> list[str]:
        return names_from(self.cleaned_data)

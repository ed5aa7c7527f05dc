"""Staff accounts and teams, for administrators.

Participants, their consents, safety flags and break-the-glass grants are deliberately
not registered here: participant content is reached only through the participant
pages, which apply `visible_to(user)` and audit every read. Break-the-glass grants are
on the audit log (`/audit/`) and on the administrator's own break-the-glass page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest

from doorway.people.models import Team, User
from doorway.web.administration import DoorwayAdmin


class StaffChangeForm(UserChangeForm):
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.select_related("agency").order_by("agency__name", "name"),
        required=False,
        widget=FilteredSelectMultiple("teams", is_stacked=False),
        help_text="Case managers on a team cover for each other and see each other's caseload.",
    )

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["teams"] = list(self.instance.teams.values_list("pk", flat=True))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency = data.get("agency")
        if agency is not None:
            if any(team.agency_id != agency.pk for team in data.get("teams") or []):
                self.add_error("teams", "Choose teams of the account's own agency.")
            if any(p.agency_id != agency.pk for p in data.get("programs") or []):
                self.add_error("programs", "Choose programs of the account's own agency.")
        return data


@admin.register(User)
class StaffAdmin(DoorwayAdmin, UserAdmin):
    form = StaffChangeForm
    list_display = ("username", "first_name", "last_name", "role", "agency", "is_active")
    list_filter = ("role", "agency", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("username",)
    filter_horizontal = ("programs",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("Work", {"fields": ("role", "agency", "programs", "teams")}),
        (
            "Access",
            {
                "fields": ("is_active", "is_staff", "is_superuser", "is_demo_account"),
                "description": (
                    "Deactivate an account rather than deleting it: the records it "
                    "wrote keep its name. Only administrators use this admin site."
                ),
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        ("Work", {"fields": ("first_name", "last_name", "role", "agency")}),
    )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if "teams" in form.cleaned_data:
            form.instance.teams.set(form.cleaned_data["teams"])


@admin.register(Team)
class TeamAdmin(DoorwayAdmin):
    list_display = ("name", "agency")
    list_filter = ("agency",)
    search_fields = ("name",)
    filter_horizontal = ("members",)

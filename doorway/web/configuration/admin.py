"""Agencies and programs, for administrators of the agency.

Program managers configure their own programs (phases, focus areas, cycles, partner
agencies) in the program pages (`/programs/`), through `doorway.programs.actions`,
which check, write and audit; here administrators set up programs and read that
configuration, of their own agency only (`capabilities.programs_for`). Nothing here is
deleted, and every edit is kept by simple-history and on the audit log.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from doorway.people.capabilities import Action, programs_for
from doorway.programs.models import (
    Agency,
    Cycle,
    FocusArea,
    PartnerAgency,
    Phase,
    Program,
    ServiceKind,
)
from doorway.web.administration import DoorwayAdmin
from doorway.web.http import staff_of


class HistoryAdmin(DoorwayAdmin, SimpleHistoryAdmin):  # type: ignore[misc]  # simple-history ships no types
    """A Doorway admin that also shows each record's change history, of her agency's
    programs only."""

    # The field that ties a row to a program, or to an agency.
    scope = "program"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        programs = programs_for(request.user, Action.SET_UP_PROGRAMS)
        if self.scope == "agency":
            return super().get_queryset(request).filter(agency__in=programs.values("agency"))
        if self.scope == "self":
            return super().get_queryset(request).filter(pk__in=programs.values("pk"))
        return super().get_queryset(request).filter(program__in=programs)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        user = staff_of(request)
        if db_field.name == "agency":
            kwargs["queryset"] = (
                Agency.objects.filter(pk=user.agency_id)
                if user.agency_id
                else Agency.objects.none()
            )
        if db_field.name == "program":
            kwargs["queryset"] = programs_for(user, Action.SET_UP_PROGRAMS)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ConfigurationAdmin(HistoryAdmin):
    """Read-only: program managers change this in the program pages, through
    `doorway.programs.actions`."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(DoorwayAdmin):
    """Her own agency only; a new agency is set up by whoever holds the server."""

    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agency]:
        return super().get_queryset(request).filter(pk=staff_of(request).agency_id)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False


@admin.register(Program)
class ProgramAdmin(HistoryAdmin):
    scope = "self"
    list_display = ("name", "agency", "code_prefix", "caseload_limit")
    list_filter = ("agency",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Phase)
class PhaseAdmin(ConfigurationAdmin):
    list_display = ("name", "program", "order", "expected_days", "contact_cadence", "retired")
    list_filter = ("program", "retired")
    ordering = ("program", "retired", "order")


@admin.register(FocusArea)
class FocusAreaAdmin(ConfigurationAdmin):
    list_display = ("name", "program", "slug", "order", "retired")
    list_filter = ("program", "retired")


@admin.register(Cycle)
class CycleAdmin(ConfigurationAdmin):
    list_display = ("name", "program", "starts_on", "ends_on")
    list_filter = ("program",)


class PartnerAdminForm(forms.ModelForm[PartnerAgency]):
    services = forms.MultipleChoiceField(
        choices=ServiceKind.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = PartnerAgency
        fields = [
            "agency",
            "name",
            "services",
            "contact_name",
            "phone",
            "email",
            "address",
            "active",
        ]


@admin.register(PartnerAgency)
class PartnerAgencyAdmin(ConfigurationAdmin):
    form = PartnerAdminForm
    scope = "agency"
    list_display = ("name", "agency", "contact_name", "active")
    list_filter = ("agency", "active")
    search_fields = ("name",)

"""Agencies, programs and their configuration, for administrators.

Program managers configure their own programs in the program pages (`/programs/`);
the admin is for administrators setting up agencies and programs. Nothing here is
deleted, and every edit is kept by simple-history and on the audit log.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from doorway.enrolments.models import Enrolment
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


class HistoryAdmin(DoorwayAdmin, SimpleHistoryAdmin):
    """A Doorway admin that also shows each record's change history."""


@admin.register(Agency)
class AgencyAdmin(DoorwayAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Program)
class ProgramAdmin(HistoryAdmin):
    list_display = ("name", "agency", "code_prefix", "caseload_limit")
    list_filter = ("agency",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class PhaseAdminForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = [
            "program",
            "name",
            "order",
            "description",
            "expected_days",
            "contact_cadence",
            "requires_service_consent",
            "requires_eligibility",
            "retired",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        retiring = data.get("retired") and self.instance.pk and not self.instance.retired
        if retiring:
            in_it = Enrolment.objects.open().filter(current_phase=self.instance).count()
            if in_it:
                self.add_error(
                    "retired",
                    f"{in_it} participant(s) are in this phase now; move them before retiring it.",
                )
        return data


@admin.register(Phase)
class PhaseAdmin(HistoryAdmin):
    form = PhaseAdminForm
    list_display = ("name", "program", "order", "expected_days", "contact_cadence", "retired")
    list_filter = ("program", "retired")
    ordering = ("program", "retired", "order")


@admin.register(FocusArea)
class FocusAreaAdmin(HistoryAdmin):
    list_display = ("name", "program", "slug", "order", "retired")
    list_filter = ("program", "retired")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Cycle)
class CycleAdmin(HistoryAdmin):
    list_display = ("name", "program", "starts_on", "ends_on")
    list_filter = ("program",)


class PartnerAdminForm(forms.ModelForm):
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
class PartnerAgencyAdmin(HistoryAdmin):
    form = PartnerAdminForm
    list_display = ("name", "agency", "contact_name", "active")
    list_filter = ("agency", "active")
    search_fields = ("name",)

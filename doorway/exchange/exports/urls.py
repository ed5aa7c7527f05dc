"""Exports of what she may see, mounted under /exports/."""

from __future__ import annotations

from django.urls import path

from doorway.exchange.exports import views

urlpatterns = [
    path("", views.exports_page, name="exports"),
    path("caseload/", views.caseload_export, name="export_caseload"),
    path("contacts/", views.contacts_export, name="export_contacts"),
    path("attendance/", views.attendance_export, name="export_attendance"),
]

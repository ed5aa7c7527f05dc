"""Contacts of one enrolment, mounted under /enrolments/<enrolment_id>/contacts/."""

from __future__ import annotations

from django.urls import path

from doorway.casework import views

urlpatterns = [
    path("new/", views.contact_record, name="contact_record"),
    path("<uuid:contact_id>/edit/", views.contact_edit, name="contact_edit"),
    path("<uuid:contact_id>/history/", views.contact_history, name="contact_history"),
]

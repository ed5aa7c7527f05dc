"""Participant pages. URLs carry her opaque id only, never a name; searches are posted."""

from __future__ import annotations

from django.urls import path

from doorway.participants import views

urlpatterns = [
    path("", views.participant_list, name="participant_list"),
    path("new/", views.participant_register, name="participant_register"),
    path("new/duplicates/", views.participant_duplicates, name="participant_duplicates"),
    path("<uuid:participant_id>/", views.participant_detail, name="participant_detail"),
    path("<uuid:participant_id>/edit/", views.participant_edit, name="participant_edit"),
    path(
        "<uuid:participant_id>/safe-contact/confirm/",
        views.safe_contact_confirm,
        name="safe_contact_confirm",
    ),
    path("<uuid:participant_id>/flags/", views.safety_flag_add, name="safety_flag_add"),
    path(
        "<uuid:participant_id>/flags/<uuid:flag_id>/remove/",
        views.safety_flag_remove,
        name="safety_flag_remove",
    ),
    path("<uuid:participant_id>/consents/", views.consent_give, name="consent_give"),
    path(
        "<uuid:participant_id>/consents/<uuid:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
]

"""Drafts and the session warning, mounted at /drafts/."""

from __future__ import annotations

from django.urls import path

from doorway.drafts import views

urlpatterns = [
    path("save/", views.draft_save, name="draft_save"),
    path("restore/", views.draft_restore, name="draft_restore"),
    path("discard/", views.draft_discard, name="draft_discard"),
    path("stay/", views.stay_signed_in, name="stay_signed_in"),
]

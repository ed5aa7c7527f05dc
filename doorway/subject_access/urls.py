"""Her own copy, under her record: /participants/<id>/copy/."""

from __future__ import annotations

from django.urls import path

from doorway.subject_access import views

urlpatterns = [
    path("", views.her_copy, name="her_copy"),
    path("make/", views.her_copy_make, name="her_copy_make"),
    path("requests/", views.her_copy_request, name="her_copy_request"),
]

"""Staff access pages, mounted under /staff/. URLs carry opaque ids only."""

from __future__ import annotations

from django.urls import path

from doorway.people.staff import views

urlpatterns = [
    path("", views.staff_list, name="staff_list"),
    path("<uuid:user_id>/", views.staff_change, name="staff_change"),
    path(
        "requests/<uuid:request_id>/approve/",
        views.access_request_approve,
        name="access_request_approve",
    ),
    path(
        "requests/<uuid:request_id>/decline/",
        views.access_request_decline,
        name="access_request_decline",
    ),
]

"""Drop-ins and groups, mounted under /dropins/."""

from __future__ import annotations

from django.urls import path

from doorway.dropins import views

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("new/", views.session_start, name="session_start"),
    path("<uuid:session_id>/", views.session_attendance, name="session_attendance"),
    path("<uuid:session_id>/mark/", views.attendance_mark, name="attendance_mark"),
    path("<uuid:session_id>/anonymous/", views.attendance_anonymous, name="attendance_anonymous"),
    path("<uuid:session_id>/walk-in/", views.walk_in_search, name="walk_in_search"),
]

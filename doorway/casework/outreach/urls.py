"""Outreach in the pre-phase, mounted at /outreach/."""

from __future__ import annotations

from django.urls import path

from doorway.casework.outreach import views

urlpatterns = [
    path("", views.outreach_home, name="outreach_home"),
    path("<uuid:program_id>/", views.outreach_log, name="outreach_log"),
    path("<uuid:program_id>/new/", views.outreach_record, name="outreach_record"),
    path("link/<uuid:enrolment_id>/", views.outreach_link, name="outreach_link"),
    path(
        "link/<uuid:enrolment_id>/<uuid:outreach_id>/unlink/",
        views.outreach_unlink,
        name="outreach_unlink",
    ),
]

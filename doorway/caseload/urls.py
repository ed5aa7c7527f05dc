from __future__ import annotations

from django.urls import path

from doorway.caseload import views

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("team/", views.overview, name="caseload_overview"),
    path("closing-notes/", views.closing_notes_to_clear, name="old_closing_notes"),
    path("<uuid:enrolment_id>/snooze/", views.snooze, name="caseload_snooze"),
    path("<uuid:enrolment_id>/snooze/lift/", views.lift_snooze, name="caseload_lift_snooze"),
    path("duplicates/", views.duplicate_notices, name="duplicate_notices"),
    path(
        "duplicates/<uuid:notice_id>/checked/",
        views.duplicate_notice_resolve,
        name="duplicate_notice_resolve",
    ),
]

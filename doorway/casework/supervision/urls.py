"""Team supervision and caseload review, mounted at /supervision/."""

from __future__ import annotations

from django.urls import path

from doorway.casework.supervision import views

urlpatterns = [
    path("", views.supervision_home, name="supervision_home"),
    path("teams/<uuid:team_id>/", views.supervision_sessions, name="supervision_sessions"),
    path("teams/<uuid:team_id>/new/", views.supervision_record, name="supervision_record"),
    path("sessions/<uuid:session_id>/", views.supervision_session, name="supervision_session"),
    path(
        "sessions/<uuid:session_id>/reviews/new/",
        views.supervision_review_add,
        name="supervision_review_add",
    ),
]

from __future__ import annotations

from django.urls import path

from doorway.web import audit_log as views

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
    path("verify/", views.audit_verify, name="audit_verify"),
    path("verify/<uuid:run_id>/", views.audit_verify_run, name="audit_verify_run"),
    path(
        "verify/<uuid:run_id>/progress/",
        views.audit_verify_progress,
        name="audit_verify_progress",
    ),
    path("break-glass/", views.break_glass, name="break_glass"),
]

from __future__ import annotations

from django.urls import path

from doorway.caseload import views

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("team/", views.overview, name="caseload_overview"),
    path("duplicates/", views.duplicate_notices, name="duplicate_notices"),
    path(
        "duplicates/<uuid:notice_id>/checked/",
        views.duplicate_notice_resolve,
        name="duplicate_notice_resolve",
    ),
]

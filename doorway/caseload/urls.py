from __future__ import annotations

from django.urls import path

from doorway.caseload import views

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("team/", views.overview, name="caseload_overview"),
]

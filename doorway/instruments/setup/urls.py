"""Instrument setup, mounted at /instruments/."""

from __future__ import annotations

from django.urls import path

from doorway.instruments.setup import views

urlpatterns = [
    path("", views.instrument_list, name="instrument_list"),
    path("<uuid:instrument_id>/", views.instrument_detail, name="instrument_detail"),
    path(
        "<uuid:instrument_id>/new-version/",
        views.instrument_new_version,
        name="instrument_new_version",
    ),
    path("versions/<uuid:version_id>/", views.instrument_version, name="instrument_version"),
]

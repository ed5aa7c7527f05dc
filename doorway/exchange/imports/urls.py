from __future__ import annotations

from django.urls import URLPattern, path

from doorway.exchange.imports import views

urlpatterns: list[URLPattern] = [
    path("", views.import_home, name="import_home"),
    path("jobs/<uuid:job_id>/", views.import_job, name="import_job"),
    path("jobs/<uuid:job_id>/progress/", views.import_progress, name="import_progress"),
    path("jobs/<uuid:job_id>/import/", views.import_confirm, name="import_confirm"),
    path("jobs/<uuid:job_id>/retry/", views.import_retry, name="import_retry"),
    path("<slug:kind>/", views.import_kind, name="import_kind"),
    path(
        "<slug:kind>/template.<str:extension>",
        views.import_template,
        name="import_template",
    ),
]

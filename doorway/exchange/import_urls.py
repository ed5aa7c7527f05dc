from __future__ import annotations

from django.urls import URLPattern, path

from doorway.exchange import import_views

urlpatterns: list[URLPattern] = [
    path("", import_views.import_home, name="import_home"),
    path("jobs/<uuid:job_id>/", import_views.import_job, name="import_job"),
    path("jobs/<uuid:job_id>/progress/", import_views.import_progress, name="import_progress"),
    path("jobs/<uuid:job_id>/import/", import_views.import_confirm, name="import_confirm"),
    path("<slug:kind>/", import_views.import_kind, name="import_kind"),
    path(
        "<slug:kind>/template.<str:extension>",
        import_views.import_template,
        name="import_template",
    ),
]

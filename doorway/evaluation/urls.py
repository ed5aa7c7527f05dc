"""The evaluation, mounted at /evaluation/. Programs are named by slug: a program is
not personal data."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from doorway.evaluation import views
from doorway.replica import reads_replica_patterns

# Fixed words (E4's theory/survey pages) must come before "<slug:program_slug>/",
# or the slug pattern would take them.
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.evaluation_home, name="evaluation_home"),
    path("theory/", include("doorway.evaluation.theory.urls")),
    path("<slug:program_slug>/", views.evaluation_page, name="evaluation_page"),
    path("<slug:program_slug>/outcomes/", views.evaluation_outcomes, name="evaluation_outcomes"),
    path("<slug:program_slug>/process/", views.evaluation_process, name="evaluation_process"),
    path("<slug:program_slug>/fidelity/", views.evaluation_fidelity, name="evaluation_fidelity"),
    path("<slug:program_slug>/costs/", views.evaluation_costs, name="evaluation_costs"),
    path("<slug:program_slug>/count-again/", views.count_again, name="evaluation_count_again"),
    path("<slug:program_slug>/funder-report/", views.funder_report, name="funder_report"),
    path(
        "<slug:program_slug>/funder-report.pdf",
        views.funder_report_pdf,
        name="funder_report_pdf",
    ),
    path("<slug:program_slug>/export/", views.research_export, name="research_export"),
]

# Every page above is a read-only report: read on the replica when there is one
# (doorway/replica.py). The theory pages, an included URL conf, are not.
reads_replica_patterns(urlpatterns)

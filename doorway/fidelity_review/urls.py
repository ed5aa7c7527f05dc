"""The fidelity review, mounted at /evaluation/<program>/fidelity-review/ (doorway.urls,
before the evaluation's own URLs)."""

from __future__ import annotations

from django.urls import path

from doorway.fidelity_review import views

urlpatterns = [
    path("", views.reviews, name="fidelity_reviews"),
    path("<uuid:review_id>/", views.review, name="fidelity_review"),
    path(
        "<uuid:review_id>/records/<int:position>/",
        views.review_record,
        name="fidelity_review_record",
    ),
    path("<uuid:review_id>/results/", views.results, name="fidelity_review_results"),
]

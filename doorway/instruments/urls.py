"""Assessments of one enrolment, mounted under /enrolments/<enrolment_id>/assessments/."""

from __future__ import annotations

from django.urls import path

from doorway.instruments import views

urlpatterns = [
    path("", views.assessment_choose, name="assessment_choose"),
    path("new/<uuid:instrument_id>/", views.assessment_record, name="assessment_record"),
    path("<uuid:administration_id>/", views.assessment_detail, name="assessment_detail"),
    path(
        "<uuid:administration_id>/eligibility/",
        views.assessment_decide_eligibility,
        name="assessment_decide_eligibility",
    ),
]

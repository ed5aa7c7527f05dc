"""Enrolment pages. URLs carry the enrolment's opaque id only."""

from __future__ import annotations

from django.urls import include, path

from doorway.enrolments import views

urlpatterns = [
    path("<uuid:enrolment_id>/", views.enrolment_detail, name="enrolment_detail"),
    path("<uuid:enrolment_id>/move/", views.enrolment_move, name="enrolment_move"),
    path(
        "<uuid:enrolment_id>/eligibility/",
        views.enrolment_eligibility,
        name="enrolment_eligibility",
    ),
    path("<uuid:enrolment_id>/assign/", views.enrolment_assign, name="enrolment_assign"),
    path("<uuid:enrolment_id>/contacts/", include("doorway.casework.urls")),
    path("<uuid:enrolment_id>/assessments/", include("doorway.instruments.urls")),
    path("<uuid:enrolment_id>/plan/", include("doorway.plans.urls")),
    path("<uuid:enrolment_id>/referrals/", include("doorway.referrals.urls")),
    path("<uuid:enrolment_id>/transfer/", include("doorway.casework.transfer_urls")),
]

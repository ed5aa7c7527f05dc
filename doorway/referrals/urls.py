"""Referrals of one enrolment, mounted under /enrolments/<enrolment_id>/referrals/."""

from __future__ import annotations

from django.urls import path

from doorway.referrals import views

urlpatterns = [
    path("new/", views.referral_make, name="referral_make"),
    path("<uuid:referral_id>/", views.referral_detail, name="referral_detail"),
    path("<uuid:referral_id>/update/", views.referral_update, name="referral_update"),
]

"""Referrals of one enrolment, mounted under /enrolments/<enrolment_id>/referrals/."""

from __future__ import annotations

from django.urls import path

from doorway.referrals import link_views, views

urlpatterns = [
    path("new/", views.referral_make, name="referral_make"),
    path("<uuid:referral_id>/", views.referral_detail, name="referral_detail"),
    path("<uuid:referral_id>/update/", views.referral_update, name="referral_update"),
    path("<uuid:referral_id>/links/", link_views.link_make, name="referral_link_make"),
    path(
        "<uuid:referral_id>/links/<uuid:link_id>/revoke/",
        link_views.link_revoke,
        name="referral_link_revoke",
    ),
]

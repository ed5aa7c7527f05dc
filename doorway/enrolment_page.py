"""The enrolment page, put together above every app that shows a part of it.

The enrolments app draws her journey and the forms that move it; contacts, assessments,
attendance, referrals, the plan, outreach, supervision, the transfer of care and the
evaluation's ratings each add a section, and some of them pages under the enrolment's
address. Those apps import enrolments, so enrolments cannot import them: this module,
mounted at /enrolments/ by `doorway.urls`, names each one and hands the list to the
enrolment's views as the `page` keyword of their URLs. A new section is a function in
its own app, added to `PAGE` here. URLs carry the enrolment's opaque id only.
"""

from __future__ import annotations

from django.urls import include, path

from doorway.casework import urls as contact_urls
from doorway.casework.outreach import views as outreach_views
from doorway.casework.supervision import views as supervision_views
from doorway.casework.transfer import urls as transfer_urls
from doorway.casework.transfer import views as transfer_views
from doorway.casework.views import contacts_section
from doorway.dropins.views import attendance_section
from doorway.enrolments import views
from doorway.enrolments.sections import EnrolmentPage
from doorway.evaluation.views import ratings_section
from doorway.instruments import urls as assessment_urls
from doorway.instruments.views import assessments_section
from doorway.plans import urls as plan_urls
from doorway.plans.views import plan_section, review_due_message
from doorway.referrals import urls as referral_urls
from doorway.referrals.views import referrals_section

PAGE = EnrolmentPage(
    sections=(
        contacts_section,
        assessments_section,
        attendance_section,
        referrals_section,
        plan_section,
        outreach_views.outreach_section,
        supervision_views.supervision_section,
        transfer_views.transfer_section,
        ratings_section,
    ),
    # A phase change asks for a plan review.
    after_move=review_due_message,
)
ON_THE_PAGE = {"page": PAGE}

urlpatterns = [
    path("<uuid:enrolment_id>/", views.enrolment_detail, ON_THE_PAGE, name="enrolment_detail"),
    path("<uuid:enrolment_id>/move/", views.enrolment_move, ON_THE_PAGE, name="enrolment_move"),
    path(
        "<uuid:enrolment_id>/eligibility/",
        views.enrolment_eligibility,
        ON_THE_PAGE,
        name="enrolment_eligibility",
    ),
    path(
        "<uuid:enrolment_id>/assign/", views.enrolment_assign, ON_THE_PAGE, name="enrolment_assign"
    ),
    path("<uuid:enrolment_id>/contacts/", include(contact_urls)),
    path("<uuid:enrolment_id>/assessments/", include(assessment_urls)),
    path("<uuid:enrolment_id>/plan/", include(plan_urls)),
    path("<uuid:enrolment_id>/referrals/", include(referral_urls)),
    path("<uuid:enrolment_id>/transfer/", include(transfer_urls)),
]

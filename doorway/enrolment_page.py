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

from django.urls import include, path, reverse
from django.utils.translation import gettext as _

from doorway.casework import permissions as contact_permissions
from doorway.casework import urls as contact_urls
from doorway.casework.outreach import views as outreach_views
from doorway.casework.supervision import views as supervision_views
from doorway.casework.transfer import urls as transfer_urls
from doorway.casework.transfer import views as transfer_views
from doorway.casework.views import contacts_section
from doorway.dropins.views import attendance_section
from doorway.enrolments import views
from doorway.enrolments.models import Enrolment
from doorway.enrolments.sections import EnrolmentPage, NextAction
from doorway.evaluation.views import ratings_section
from doorway.instruments import urls as assessment_urls
from doorway.instruments.views import assessments_section
from doorway.plans import permissions as plan_permissions
from doorway.plans import urls as plan_urls
from doorway.plans.views import plan_of, plan_section, review_due_message
from doorway.referrals import permissions as referral_permissions
from doorway.referrals import urls as referral_urls
from doorway.referrals.views import referrals_section
from doorway.web.http import AuthenticatedHttpRequest


def record_a_contact(request: AuthenticatedHttpRequest, enrolment: Enrolment) -> NextAction | None:
    if not contact_permissions.records_contacts(request.user):
        return None
    return NextAction(
        _("Record a contact"), reverse("contact_record", args=[enrolment.pk]), main=True
    )


def her_plan(request: AuthenticatedHttpRequest, enrolment: Enrolment) -> NextAction | None:
    """Straight to the agreement when there is no plan yet: the plan page would only
    ask again."""
    user = request.user
    if not plan_permissions.reads_plans(user):
        return None
    if enrolment.is_open and plan_permissions.writes_plans(user) and plan_of(enrolment) is None:
        return NextAction(_("Agree her plan"), reverse("plan_agree", args=[enrolment.pk]))
    return NextAction(_("Her plan"), reverse("plan_detail", args=[enrolment.pk]))


def make_a_referral(request: AuthenticatedHttpRequest, enrolment: Enrolment) -> NextAction | None:
    if not (enrolment.is_open and referral_permissions.makes_referrals(request.user)):
        return None
    return NextAction(_("Make a referral"), reverse("referral_make", args=[enrolment.pk]))


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
    next_actions=(record_a_contact, her_plan, make_a_referral),
)
ON_THE_PAGE = {"page": PAGE}

urlpatterns = [
    path("<uuid:enrolment_id>/", views.enrolment_detail, ON_THE_PAGE, name="enrolment_detail"),
    path("<uuid:enrolment_id>/move/", views.enrolment_move, ON_THE_PAGE, name="enrolment_move"),
    path(
        "<uuid:enrolment_id>/undo/<uuid:event_id>/",
        views.enrolment_undo,
        ON_THE_PAGE,
        name="enrolment_undo",
    ),
    path(
        "<uuid:enrolment_id>/consent/",
        views.enrolment_consent,
        ON_THE_PAGE,
        name="enrolment_consent",
    ),
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

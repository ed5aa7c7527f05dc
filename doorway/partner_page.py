"""The partner's page of a referral link, put together above the apps whose parts it shows.

The referrals app serves the page and decides what her consent lets it show
(`doorway.referrals.links`); her contact details it reads itself, but her plan's goals
and her assessments belong to apps beside it, which it may not import. This module,
mounted at /r/ by `doorway.urls`, hands the page those two sections as the `sections`
keyword of its URL. No sign-in: the token in the address is the only key.
"""

from __future__ import annotations

from django.urls import path
from django.utils.formats import date_format

from doorway.enrolments.models import Enrolment
from doorway.instruments.models import Administration
from doorway.people.models import SharingScope
from doorway.plans.models import Goal
from doorway.referrals import partner
from doorway.referrals.links import Rows


def plan_goals(enrolment: Enrolment) -> Rows:
    """Her goals in her words, by focus area, with where they stand."""
    goals = (
        Goal.objects.filter(plan__enrolment=enrolment)
        .select_related("focus_area")
        .order_by("order", "created_at")
    )
    return [
        (goal.focus_area.local_name, f"{goal.her_words} ({goal.get_status_display()})")
        for goal in goals
    ]


def assessments(enrolment: Enrolment) -> Rows:
    """Each assessment she completed: the instrument, the date and its scores (no answers)."""
    rows: Rows = []
    for administration in Administration.objects.filter(enrolment=enrolment).for_list():
        scores = ", ".join(
            f"{code}: {'—' if value is None else value}"
            for code, value in (administration.scores or {}).items()
        )
        heading = (
            f"{administration.version.instrument.local_name} · "
            f"{date_format(administration.completed_on)}"
        )
        rows.append((heading, scores or "—"))
    return rows


SECTIONS = {SharingScope.PLAN: plan_goals, SharingScope.ASSESSMENT: assessments}

urlpatterns = [
    path("<str:token>/", partner.partner_link, {"sections": SECTIONS}, name="partner_link"),
]

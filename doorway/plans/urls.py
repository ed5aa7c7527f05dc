"""Her plan, mounted under /enrolments/<enrolment_id>/plan/."""

from __future__ import annotations

from django.urls import path

from doorway.plans import views

urlpatterns = [
    path("", views.plan_detail, name="plan_detail"),
    path("print/", views.plan_print, name="plan_print"),
    path("agree/", views.plan_agree, name="plan_agree"),
    path("phase/", views.phase_plan_set, name="phase_plan_set"),
    path("review/", views.plan_review, name="plan_review"),
    path("goals/new/", views.goal_add, name="goal_add"),
    path("goals/<uuid:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<uuid:goal_id>/status/", views.goal_status, name="goal_status"),
    path("goals/<uuid:goal_id>/steps/new/", views.step_add, name="step_add"),
    path("steps/<uuid:step_id>/edit/", views.step_edit, name="step_edit"),
]

"""The theory of change, the contribution story and the partner survey, under
/evaluation/theory/."""

from __future__ import annotations

from django.urls import path

from doorway.evaluation.theory import views

P = "<uuid:program_id>/"
L = P + "links/<uuid:link_id>/"

urlpatterns = [
    path("", views.theory_home, name="theory_home"),
    path(P, views.theory_detail, name="theory_detail"),
    path(P + "story/", views.theory_story, name="theory_story"),
    path(P + "template/", views.theory_install, name="theory_install"),
    path(P + "steps/new/", views.theory_step_add, name="theory_step_add"),
    path(P + "steps/<uuid:step_id>/", views.theory_step_edit, name="theory_step_edit"),
    path(P + "links/new/", views.theory_link_add, name="theory_link_add"),
    path(L, views.theory_link_edit, name="theory_link_edit"),
    path(L + "rate/", views.theory_link_rate, name="theory_link_rate"),
    path(L + "indicators/new/", views.theory_indicator_add, name="theory_indicator_add"),
    path(
        L + "indicators/<uuid:indicator_id>/remove/",
        views.theory_indicator_remove,
        name="theory_indicator_remove",
    ),
    path(L + "excerpts/new/", views.theory_excerpt_add, name="theory_excerpt_add"),
    path(L + "excerpts/<uuid:excerpt_id>/", views.theory_excerpt_edit, name="theory_excerpt_edit"),
    path(L + "references/new/", views.theory_reference_add, name="theory_reference_add"),
    path(
        L + "references/<uuid:reference_id>/",
        views.theory_reference_edit,
        name="theory_reference_edit",
    ),
    # The partner survey is evidence for the links to community supports; it belongs
    # to the agency rather than to one program.
    path("partner-survey/", views.partner_survey, name="partner_survey"),
    path("partner-survey/new/", views.partner_survey_record, name="partner_survey_record"),
]

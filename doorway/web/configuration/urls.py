from __future__ import annotations

from django.urls import path

from doorway.web.configuration import views

urlpatterns = [
    path("", views.program_list, name="program_list"),
    path("<uuid:program_id>/", views.program_detail, name="program_detail"),
    path(
        "<uuid:program_id>/information/",
        views.information_settings,
        name="program_information_settings",
    ),
    path("<uuid:program_id>/phases/add/", views.phase_add, name="phase_add"),
    path("<uuid:program_id>/phases/<uuid:phase_id>/", views.phase_edit, name="phase_edit"),
    path("<uuid:program_id>/phases/<uuid:phase_id>/move/", views.phase_move, name="phase_move"),
    path(
        "<uuid:program_id>/phases/<uuid:phase_id>/retire/",
        views.phase_retire,
        name="phase_retire",
    ),
    path(
        "<uuid:program_id>/phases/<uuid:phase_id>/restore/",
        views.phase_restore,
        name="phase_restore",
    ),
    path("<uuid:program_id>/focus-areas/add/", views.focus_area_add, name="focus_area_add"),
    path(
        "<uuid:program_id>/focus-areas/<uuid:area_id>/",
        views.focus_area_edit,
        name="focus_area_edit",
    ),
    path(
        "<uuid:program_id>/focus-areas/<uuid:area_id>/retire/",
        views.focus_area_retire,
        name="focus_area_retire",
    ),
    path("<uuid:program_id>/cycles/add/", views.cycle_add, name="cycle_add"),
    path("<uuid:program_id>/cycles/<uuid:cycle_id>/", views.cycle_edit, name="cycle_edit"),
    path("<uuid:program_id>/cycles/<uuid:cycle_id>/costs/", views.cost_lines, name="cost_lines"),
    path(
        "<uuid:program_id>/cycles/<uuid:cycle_id>/costs/add/",
        views.cost_line_add,
        name="cost_line_add",
    ),
    path(
        "<uuid:program_id>/cycles/<uuid:cycle_id>/costs/<uuid:line_id>/",
        views.cost_line_edit,
        name="cost_line_edit",
    ),
    path(
        "<uuid:program_id>/cycles/<uuid:cycle_id>/costs/<uuid:line_id>/delete/",
        views.cost_line_delete,
        name="cost_line_delete",
    ),
    path("<uuid:program_id>/partners/add/", views.partner_add, name="partner_add"),
    path("<uuid:program_id>/partners/<uuid:partner_id>/", views.partner_edit, name="partner_edit"),
    path(
        "<uuid:program_id>/partners/<uuid:partner_id>/active/",
        views.partner_active,
        name="partner_active",
    ),
]

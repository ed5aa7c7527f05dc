"""Transfer of care and the closing note, mounted under /enrolments/<enrolment_id>/transfer/."""

from __future__ import annotations

from django.urls import path

from doorway.casework.transfer import views

urlpatterns = [
    path("meeting/", views.transfer_meeting, name="transfer_meeting"),
    path("closing-note/", views.closing_note, name="closing_note"),
    path("closing-note/history/", views.closing_note_history, name="closing_note_history"),
]

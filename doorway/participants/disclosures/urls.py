"""Her disclosure log, under her record: /participants/<id>/disclosures/."""

from __future__ import annotations

from django.urls import path

from doorway.participants.disclosures import views

urlpatterns = [
    path("", views.disclosure_list, name="disclosure_list"),
]

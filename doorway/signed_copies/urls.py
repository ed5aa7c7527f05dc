"""The signed copy of a consent, under her record:
/participants/<id>/consents/<consent id>/signed-copy/."""

from __future__ import annotations

from django.urls import path

from doorway.signed_copies import views

urlpatterns = [
    path("", views.signed_copy, name="signed_copy"),
    path("download/", views.signed_copy_download, name="signed_copy_download"),
]

"""Erasure pages, mounted under /erasure/. URLs carry opaque ids only."""

from __future__ import annotations

from django.urls import path

from doorway.erasure import views

urlpatterns = [
    path("", views.erasure_list, name="erasure_list"),
    path("<uuid:request_id>/approve/", views.erasure_approve, name="erasure_approve"),
    path("<uuid:request_id>/decline/", views.erasure_decline, name="erasure_decline"),
]

from __future__ import annotations

from django.urls import path

from doorway.audit import views

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
    path("verify/", views.audit_verify, name="audit_verify"),
    path("break-glass/", views.break_glass, name="break_glass"),
]

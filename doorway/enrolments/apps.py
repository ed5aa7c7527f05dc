from __future__ import annotations

from django.apps import AppConfig


class EnrolmentsConfig(AppConfig):
    name = "doorway.enrolments"
    label = "enrolments"
    default_auto_field = "django.db.models.BigAutoField"

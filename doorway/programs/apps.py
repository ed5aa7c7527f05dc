from __future__ import annotations

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "doorway.programs"
    label = "programs"
    default_auto_field = "django.db.models.BigAutoField"

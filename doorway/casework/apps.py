from __future__ import annotations

from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "doorway.casework"
    label = "casework"
    default_auto_field = "django.db.models.BigAutoField"

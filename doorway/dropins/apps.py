from __future__ import annotations

from django.apps import AppConfig


class DropinsConfig(AppConfig):
    name = "doorway.dropins"
    label = "dropins"
    default_auto_field = "django.db.models.BigAutoField"

from __future__ import annotations

from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running Doorway for years: backups and restores (no models of its own)."""

    name = "doorway.operations"
    label = "operations"
    default_auto_field = "django.db.models.BigAutoField"

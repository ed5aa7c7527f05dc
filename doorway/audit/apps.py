from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "doorway.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from doorway.audit import checks  # noqa: F401 - registers the deploy checks

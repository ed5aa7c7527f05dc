from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "doorway.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the deploy checks of keys and demo mode (`doorway check --deploy`).
        from doorway import deploy_checks  # noqa: F401

from __future__ import annotations

from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "doorway.casework"
    label = "casework"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Its long forms keep drafts (doorway/drafts), each checked as its view checks.
        from doorway.casework.drafts import register_all

        register_all()

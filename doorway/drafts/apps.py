from __future__ import annotations

from django.apps import AppConfig


class DraftsConfig(AppConfig):
    name = "doorway.drafts"
    label = "drafts"
    default_auto_field = "django.db.models.BigAutoField"

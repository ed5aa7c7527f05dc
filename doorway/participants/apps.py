from __future__ import annotations

from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    """Her pages and API. An app for its templates and the navigation's search box only:
    her models stay in `doorway.people`."""

    name = "doorway.participants"
    label = "participants"
    default_auto_field = "django.db.models.BigAutoField"

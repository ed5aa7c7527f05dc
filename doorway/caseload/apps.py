"""The CTI rhythm: what is due for whom, computed in the background."""

from __future__ import annotations

from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "doorway.caseload"
    label = "caseload"
    default_auto_field = "django.db.models.BigAutoField"

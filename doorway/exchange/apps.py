from __future__ import annotations

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Spreadsheets in and out: imports with a dry run, exports of what a person may see."""

    name = "doorway.exchange"
    label = "exchange"
    default_auto_field = "django.db.models.BigAutoField"

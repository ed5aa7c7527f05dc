from __future__ import annotations

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "doorway.referrals"
    label = "referrals"
    default_auto_field = "django.db.models.BigAutoField"

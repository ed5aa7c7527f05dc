from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosuresConfig(AppConfig):
    name = "doorway.disclosures"
    label = "disclosures"
    verbose_name = _("Disclosures")
    default_auto_field = "django.db.models.BigAutoField"

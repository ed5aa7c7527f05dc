from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ErasureConfig(AppConfig):
    name = "doorway.erasure"
    label = "erasure"
    verbose_name = _("Retention and erasure")
    default_auto_field = "django.db.models.BigAutoField"

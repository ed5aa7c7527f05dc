from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignedCopiesConfig(AppConfig):
    name = "doorway.signed_copies"
    label = "signed_copies"
    verbose_name = _("Signed copies of consents")
    default_auto_field = "django.db.models.BigAutoField"

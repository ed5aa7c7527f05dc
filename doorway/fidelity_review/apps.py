from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FidelityReviewConfig(AppConfig):
    name = "doorway.fidelity_review"
    label = "fidelity_review"
    verbose_name = _("Fidelity reviews")
    default_auto_field = "django.db.models.BigAutoField"

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectAccessConfig(AppConfig):
    name = "doorway.subject_access"
    label = "subject_access"
    verbose_name = _("Her own copy")
    default_auto_field = "django.db.models.BigAutoField"

from __future__ import annotations

from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "doorway.evaluation"
    label = "evaluation"
    default_auto_field = "django.db.models.BigAutoField"

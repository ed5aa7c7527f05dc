from __future__ import annotations

from django.apps import AppConfig


class SynthConfig(AppConfig):
    """The demo and the synthetic deployment's commands (`doorway load-demo`, `doorway
    synth`), in the top layer with what they build; no models of their own."""

    name = "doorway.synth"
    label = "synth"
    default_auto_field = "django.db.models.BigAutoField"

"""The background worker: reconnects, leases and the sweep of stopped tasks."""

from __future__ import annotations

from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "doorway.worker"
    label = "worker"
    default_auto_field = "django.db.models.BigAutoField"

from __future__ import annotations

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "doorway.people"
    label = "people"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from doorway.people import receivers

        # Sign-in, sign-out, failed sign-in and lock-out go to the audit log.
        receivers.connect()

"""The CTI rhythm: what is due for whom, computed in the background."""

from __future__ import annotations

from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "doorway.caseload"
    label = "caseload"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The apps below the caseload ask for refreshes through `refresh_after_commit`;
        # the task that runs them is handed down here. Imported now: it needs the models.
        from doorway.caseload.tasks import refresh_due
        from doorway.enrolments.due import refresh_in_background_with

        refresh_in_background_with(refresh_due.enqueue)

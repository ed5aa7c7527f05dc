from __future__ import annotations

from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "doorway.evaluation"
    label = "evaluation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from doorway.enrolments.models import Enrolment
        from doorway.evaluation import snapshots
        from doorway.people.models import Consent

        post_save.connect(snapshots.consent_changed, sender=Consent, dispatch_uid="snapshots")
        post_delete.connect(snapshots.consent_changed, sender=Consent, dispatch_uid="snapshots")
        post_delete.connect(snapshots.enrolment_removed, sender=Enrolment, dispatch_uid="snapshots")

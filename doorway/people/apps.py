from __future__ import annotations

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "doorway.people"
    label = "people"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.mfa.models import Authenticator
        from django.db.models.signals import post_delete, post_save

        from doorway.people import receivers
        from doorway.people.signin import sync_second_factor

        # Sign-in, sign-out, failed sign-in and lock-out go to the audit log.
        receivers.connect()
        # Her row says whether she has a second factor, after every change to one
        # (a queryset's delete sends these too, for each row it deletes).
        post_save.connect(
            sync_second_factor, sender=Authenticator, dispatch_uid="doorway.2fa.saved"
        )
        post_delete.connect(
            sync_second_factor, sender=Authenticator, dispatch_uid="doorway.2fa.deleted"
        )

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class KeysConfig(AppConfig):
    name = "doorway.keys"
    label = "keys"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("key canary")

    def ready(self) -> None:
        from doorway import keycheck  # noqa: F401 - registers the key check

        # Each `doorway migrate` writes the canaries a database does not have yet: a
        # brand-new database gets them before anything is written under its keys.
        post_migrate.connect(write_canaries_after_migrate, sender=self)


def write_canaries_after_migrate(using: str = "default", **kwargs: Any) -> None:
    from doorway import keycheck

    keycheck.write_missing_canaries(using=using)

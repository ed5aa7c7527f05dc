"""`doorway check --deploy`: a production deployment signs audit checkpoints and has
somewhere to write them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security, deploy=True)
def checkpoints_are_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from doorway.audit import checkpoints

    found: list[CheckMessage] = []
    if not settings.AUDIT_CHECKPOINT_KEY:
        found.append(
            Error(
                "DOORWAY_AUDIT_CHECKPOINT_KEY is not set: no signed checkpoint is written, so "
                "audit entries removed from the end of the log (or all of them) go unnoticed.",
                hint="Make one with `doorway audit new-checkpoint-key`.",
                id="doorway.audit.E001",
            )
        )
    else:
        try:
            checkpoints.signing_key()
        except ImproperlyConfigured as error:
            found.append(Error(str(error), id="doorway.audit.E002"))
    folder = Path(settings.AUDIT_CHECKPOINTS)
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK):
        found.append(
            Warning(
                f"The audit checkpoint directory {folder} cannot be created or written to.",
                hint="Set DOORWAY_AUDIT_CHECKPOINTS to a directory the service may write.",
                id="doorway.audit.W001",
            )
        )
    if settings.AUDIT_CHECKPOINT_SECONDS <= 0 or settings.AUDIT_CHECKPOINT_SECONDS > 3600:
        found.append(
            Warning(
                "DOORWAY_AUDIT_CHECKPOINT_SECONDS is not between 1 and 3600: removed audit "
                "entries could go unnoticed for that long.",
                id="doorway.audit.W002",
            )
        )
    return found

"""doorway forget-import-uploads: empty the rows of uploads older than IMPORT_KEEP_DAYS.

An upload is personal data. Its rows are emptied as soon as its import ends (either
way) or its dry run finds problems; this empties those nobody confirmed. Each new
upload also does it, so this is for a quiet site: run it daily (cron or a timer).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from doorway.exchange.models import ImportJob


class Command(BaseCommand):
    help = "Empty the kept rows of import uploads older than IMPORT_KEEP_DAYS days."

    def handle(self, *args: Any, **options: Any) -> None:
        emptied = ImportJob.objects.forget_stale_uploads()
        self.stdout.write(
            f"Uploads emptied: {emptied} (older than {settings.IMPORT_KEEP_DAYS} days)."
        )

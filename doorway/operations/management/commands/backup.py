"""`doorway backup DIR-OR-FILE`: an encrypted, consistent backup of the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from doorway.operations import backups

HELP = gettext_noop(
    "Back up the database, consistently while Doorway runs, into one file encrypted for "
    "the backup recipient (DOORWAY_BACKUP_RECIPIENT), with a manifest of what it holds "
    "and a checksum of each file. Given a directory, the file is named by the time. The "
    "keys are not in it: keep them apart (see Backups and keys in the README)."
)


class Command(BaseCommand):
    help = HELP
    # A backup is most wanted when something is wrong: the key check does not stop it.
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        self.help = _(HELP)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("target", help=_("A directory, or the new backup file's path."))
        parser.add_argument(
            "--recipient",
            default=None,
            help=_(
                "The age public key (age1…) to encrypt for; DOORWAY_BACKUP_RECIPIENT if not given."
            ),
        )

    def handle(self, *args: Any, target: str, recipient: str | None, **options: Any) -> None:
        try:
            made = backups.make_backup(Path(target), recipient or settings.BACKUP_RECIPIENT)
        except backups.BackupRefused as refused:
            raise CommandError(str(refused)) from refused
        manifest = made.manifest
        self.stdout.write(
            _("Backed up %(tables)d tables, %(rows)d rows, %(entries)d audit entries, at %(at)s.")
            % {
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "entries": manifest["audit"]["entries"],
                "at": manifest["created_at"],
            }
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written: %(path)s (%(bytes)d bytes).")
                % {"path": made.path, "bytes": made.path.stat().st_size}
            )
        )

"""`doorway restore BACKUP --identity FILE`: a backup into an empty database, verified."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from doorway.operations import backups

HELP = gettext_noop(
    "Restore a backup made by `doorway backup` into the database DATABASE_URL names, "
    "which must be empty. The backup is decrypted with the identity file and every "
    "checksum verified before anything is written; after restoring, the counts of every "
    "table, the migrations, the key check and the audit chain are verified. Exit 1 on "
    "any refusal or problem."
)


class Command(BaseCommand):
    help = HELP
    # The database is empty or about to be replaced: the checks run after the restore.
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        self.help = _(HELP)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("backup", help=_("The backup file."))
        parser.add_argument(
            "--identity",
            required=True,
            help=_("The backup identity file (kept off the server) that decrypts it."),
        )

    def handle(self, *args: Any, backup: str, identity: str, **options: Any) -> None:
        try:
            identities = backups.read_identities(Path(identity))
            restored = backups.restore_backup(Path(backup), identities)
        except backups.BackupRefused as refused:
            raise CommandError(str(refused)) from refused
        manifest = restored.manifest
        self.stdout.write(
            _("Restored the backup made at %(at)s by Doorway %(version)s (%(vendor)s).")
            % {
                "at": manifest["created_at"],
                "version": manifest["doorway_version"],
                "vendor": manifest["database"]["vendor"],
            }
        )
        for table, count in sorted(manifest["tables"].items()):
            self.stdout.write(f"  {table}: {count}")
        self.stdout.write(
            _("%(tables)d tables, %(rows)d rows, %(entries)d audit entries.")
            % {
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "entries": restored.audit_entries,
            }
        )
        for note in restored.notes:
            self.stdout.write(self.style.WARNING(note))
        if not restored.ok:
            problems = "\n  ".join(restored.problems)
            raise CommandError(
                _(
                    "Restored, but the check found problems; do not serve this database "
                    "until they are put right:\n  %(problems)s"
                )
                % {"problems": problems}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Verified: every table's count as backed up, the migrations, the keys "
                    "and the audit chain."
                )
            )
        )

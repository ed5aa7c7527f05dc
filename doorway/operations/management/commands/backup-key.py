"""`doorway backup-key new FILE` / `public FILE`: the backup recipient's key pair."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from doorway.operations import backups

HELP = gettext_noop(
    "The key pair backups are encrypted for. `new FILE` writes a new identity (private) "
    "to FILE and prints its public key for DOORWAY_BACKUP_RECIPIENT; make it on a machine "
    "that is not the server and keep the file there (two copies, neither on the server). "
    "`public FILE` prints an identity file's public key."
)


class Command(BaseCommand):
    help = HELP
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        self.help = _(HELP)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        new = sub.add_parser("new", help=_("Write a new backup identity to a new file."))
        new.add_argument("file")
        public = sub.add_parser("public", help=_("Print an identity file's public key."))
        public.add_argument("file")

    def handle(self, *args: Any, subcommand: str, file: str, **options: Any) -> None:
        path = Path(file)
        if subcommand == "public":
            try:
                identities = backups.read_identities(path)
            except backups.BackupRefused as refused:
                raise CommandError(str(refused)) from refused
            for identity in identities:
                self.stdout.write(str(identity.to_public()))
            return
        text, recipient = backups.new_identity()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as error:
            raise CommandError(
                _("%(file)s already exists: an identity is never overwritten.") % {"file": path}
            ) from error
        except OSError as error:
            raise CommandError(str(error)) from error
        with os.fdopen(fd, "w") as out:
            out.write(text)
        self.stdout.write(
            _(
                "Backup identity written to %(file)s. Keep it off the server, in two places. "
                "Put this public key on the server:"
            )
            % {"file": path}
        )
        self.stdout.write(f"DOORWAY_BACKUP_RECIPIENT={recipient}")

"""`doorway audit …`: seal, checkpoint and check the audit log.

- `verify`: seal what is waiting, walk the chain, compare it with every signed
  checkpoint; exit 1 naming what was edited or is missing.
- `checkpoint`: seal, then write a signed checkpoint outside the database
  (`--schedule`: and start the worker's periodic checkpoints).
- `public-key`: the checkpoint key's public half, for whoever checks elsewhere.
- `new-checkpoint-key`: print a fresh private key for DOORWAY_AUDIT_CHECKPOINT_KEY.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from doorway.audit import checkpoints, log, tasks

HELP = gettext_noop(
    "Audit log tools: `verify` checks the chain against the signed checkpoints; "
    "`checkpoint` writes one; `public-key` and `new-checkpoint-key` for the key."
)


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        # Translated when the command runs, in its language (not when it is imported).
        self.help = _(HELP)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify",
            help=_(
                "Exit 0 when every entry is intact and the log reaches as far as every "
                "signed checkpoint; otherwise name what was edited or is missing, and exit 1."
            ),
        )
        verify.add_argument(
            "--public-key",
            action="append",
            default=[],
            dest="public_keys",
            help=_(
                "A public key checkpoints may be signed with (repeatable); without "
                "DOORWAY_AUDIT_CHECKPOINT_KEY, only checkpoints signed by these are accepted."
            ),
        )
        verify.add_argument(
            "--checkpoints",
            default=None,
            help=_("Another directory of checkpoints (an off-site copy) to check against."),
        )
        checkpoint = sub.add_parser(
            "checkpoint",
            help=_(
                "Seal waiting entries and write a signed checkpoint of the chain outside "
                "the database."
            ),
        )
        checkpoint.add_argument(
            "--schedule",
            action="store_true",
            help=_("Also queue the worker's periodic checkpoint, unless one is waiting."),
        )
        sub.add_parser("public-key", help=_("Print the checkpoint key's public half."))
        sub.add_parser(
            "new-checkpoint-key",
            help=_("Print a new private key for DOORWAY_AUDIT_CHECKPOINT_KEY (stored nowhere)."),
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        try:
            if subcommand == "verify":
                self.verify(options["public_keys"], options["checkpoints"])
            elif subcommand == "checkpoint":
                self.checkpoint(schedule=options["schedule"])
            elif subcommand == "public-key":
                key = checkpoints.signing_key().public_key()
                self.stdout.write(checkpoints.public_key_text(key))
            elif subcommand == "new-checkpoint-key":
                self.stdout.write(checkpoints.new_key_text())
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error

    def verify(self, public_keys: list[str], folder: str | None) -> None:
        if folder is not None:
            from pathlib import Path

            from django.conf import settings

            settings.AUDIT_CHECKPOINTS = Path(folder)
        tasks.schedule_next()
        report = log.check_log(public_keys=public_keys)
        if not report.ok:
            lines = "\n  ".join(report.lines())
            raise CommandError(_("Audit log broken:\n  %(problems)s") % {"problems": lines})
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))
        verified = report.entries + report.unsealed
        if report.checkpoint:
            message = _(
                "Audit log intact: %(n)d entries verified, as far as %(checkpoint)s signed "
                "(%(signed)d)."
            ) % {
                "n": verified,
                "checkpoint": report.checkpoint.describe(),
                "signed": report.checkpoint.entries,
            }
        else:
            message = _("Audit log intact: %(n)d entries verified.") % {"n": verified}
        self.stdout.write(self.style.SUCCESS(message))

    def checkpoint(self, *, schedule: bool) -> None:
        if schedule:
            # First, so that the worker keeps sealing even if this checkpoint fails.
            queued = tasks.schedule_next()
            self.stdout.write(
                _("Periodic checkpoints queued.")
                if queued is not None
                else _("Periodic checkpoints: one is already waiting, or no worker queue.")
            )
        try:
            written = log.checkpoint()
        except log.CheckpointRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            self.style.SUCCESS(
                _("Checkpoint written: %(n)d entries, %(file)s")
                % {"n": written.entries, "file": checkpoints.directory() / written.name}
            )
        )

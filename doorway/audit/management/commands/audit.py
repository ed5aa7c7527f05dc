"""`doorway audit verify`: check that nobody edited or removed audit entries."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from doorway.audit.log import verify
from doorway.audit.models import ChainHead


class Command(BaseCommand):
    help = "Audit log tools. `verify` walks the hash chain and reports the first broken entry."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser(
            "verify",
            help="Exit 0 when every entry is intact; otherwise name the first entry that was "
            "edited or whose predecessor was removed, and exit 1.",
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        problem = verify()
        if problem is not None:
            where = f"entry {problem.entry_id}" if problem.entry_id else "the chain head"
            raise CommandError(f"Audit log broken at {where}: {problem.message}.")
        head = ChainHead.objects.filter(pk=1).first()
        count = head.entries if head else 0
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {count} entries verified."))

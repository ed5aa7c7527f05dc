"""doorway refresh-due [--daily]: recompute every due date now.

With --daily, also make sure tomorrow's pass is queued for the worker (`doorway
db_worker`); each pass queues the next before its work, and a pass already waiting is
never doubled, so running this at every start (as `make demo` does) is safe.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext, gettext_noop, ngettext

from doorway.caseload import tasks


class Command(BaseCommand):
    help = gettext_noop(
        "Recompute what is due for every watched enrolment; --daily also starts the daily pass."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        # Translated when the command runs, in its language (not when it is imported).
        self.help = gettext(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--daily",
            action="store_true",
            help=gettext(
                "Also queue the daily pass for the worker, unless one is already waiting."
            ),
        )

    def handle(self, *args: Any, daily: bool = False, **options: Any) -> None:
        written = tasks.refresh_everyone()
        self.stdout.write(
            ngettext(
                "Due dates recomputed: %(n)s item.", "Due dates recomputed: %(n)s items.", written
            )
            % {"n": written}
        )
        if daily:
            queued = tasks.schedule_next_daily()
            if queued is not None:
                when = f"{tasks.next_daily_run():%Y-%m-%d %H:%M}"
                self.stdout.write(gettext("Daily pass queued for %(when)s.") % {"when": when})
            else:
                self.stdout.write(
                    gettext("Daily pass already queued (or this backend runs tasks at once).")
                )

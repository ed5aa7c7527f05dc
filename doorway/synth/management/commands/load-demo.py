"""`doorway load-demo`: the Exit Doors Here demo agency, staff and synthetic cohort."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from doorway import demo


class Command(BaseCommand):
    help = (
        "Load the Exit Doors Here demo: Elizabeth Fry Toronto, its cycles, partner "
        "agencies, one account per role (all with the published demo password) and a "
        "synthetic cohort. Idempotent: a second run creates nothing. Runs only with "
        "DOORWAY_DEMO=true, because the demo accounts' password is public."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000",
            help="The address printed with the demo logins.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError(
                _(
                    "The demo accounts share a published password; set DOORWAY_DEMO=true "
                    "(as `make demo` does in .env) to load them."
                )
            )
        loaded = demo.load()
        if loaded.anything:
            made = ", ".join(f"{n} {what}" for what, n in loaded.created.items() if n)
            self.stdout.write(_("Demo loaded: %(made)s.") % {"made": made})
        else:
            self.stdout.write(_("Demo already loaded; nothing new created."))
        self.stdout.write(demo.logins_box(options["url"]))

"""`doorway instrument-export PROGRAM`: a program's instruments as JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from doorway.instruments.interchange import export_instruments
from doorway.programs.models import Program


class Command(BaseCommand):
    help = (
        "Write a program's instruments (the current version of each, as a definition) as "
        "JSON to standard output or --output. No participant data is included."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("program", help="The program's slug.")
        parser.add_argument("--output", help="A file to write instead of standard output.")

    def handle(self, *args: Any, program: str, output: str | None, **options: Any) -> None:
        found = Program.objects.filter(slug=program).first()
        if found is None:
            raise CommandError(f"No program with the slug {program!r}.")
        text = json.dumps(export_instruments(found), indent=2, ensure_ascii=False)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        else:
            self.stdout.write(text)

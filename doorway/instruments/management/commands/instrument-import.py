"""`doorway instrument-import PROGRAM FILE`: load instruments from JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from doorway.instruments.interchange import import_instruments
from doorway.programs.models import Program


class Command(BaseCommand):
    help = (
        "Load instruments exported by instrument-export into a program: missing ones are "
        "created, changed ones get a new version (answered versions never change). "
        "Nothing is saved if any definition is refused."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("program", help="The program's slug.")
        parser.add_argument("file", help="The JSON file.")

    def handle(self, *args: Any, program: str, file: str, **options: Any) -> None:
        found = Program.objects.filter(slug=program).first()
        if found is None:
            raise CommandError(f"No program with the slug {program!r}.")
        try:
            with open(file, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, json.JSONDecodeError) as error:
            raise CommandError(f"Could not read {file}: {error}") from error
        try:
            lines = import_instruments(found, data)
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        for line in lines:
            self.stdout.write(line)

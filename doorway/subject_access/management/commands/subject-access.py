"""`doorway subject-access CODE [--format pdf|json] [--out FILE] [--answers]`: her own copy
of everything Doorway holds about her, every enrolment of hers included (the command is
run by whoever runs the server, who reaches every record), in her preferred language.

Audited as an export of her record and logged in her disclosure log (to her), as from
the page. `--answers` marks her oldest waiting request for a copy as answered today.
Without `--out`, the copy is written to standard output.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from doorway.people.models import Participant
from doorway.subject_access import actions, gather
from doorway.subject_access.models import SubjectAccessRequest
from doorway.subject_access.render import Format


class Command(BaseCommand):
    help = (
        "Her own copy of everything Doorway holds about her (every enrolment), as PDF or "
        "JSON, in her language; audited, and logged as a disclosure to her."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Her participant code, e.g. EDH-4K7P2Q.")
        parser.add_argument("--format", choices=Format.CHOICES, default=Format.PDF)
        parser.add_argument("--out", help="Write the copy to this file (default: stdout).")
        parser.add_argument(
            "--answers",
            action="store_true",
            help="Mark her oldest waiting request for a copy as answered today.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        participant = Participant.objects.filter(code__iexact=options["code"].strip()).first()
        if participant is None:
            raise CommandError("No participant has that code.")
        answers = None
        if options["answers"]:
            answers = (
                SubjectAccessRequest.objects.unanswered()
                .filter(participant=participant)
                .order_by("received_on")
                .first()
            )
            if answers is None:
                raise CommandError("She has no request waiting for an answer; nothing was made.")
        made = actions.make_copy(
            participant,
            format=options["format"],
            enrolments=gather.enrolments_of(participant),
            complete=True,
            by=None,
            answers=answers,
            via="command",
        )
        if options["out"]:
            Path(options["out"]).write_bytes(made.content)
            self.stderr.write(f"Her copy ({options['format']}) written to {options['out']}.")
        elif options["format"] == Format.JSON:
            self.stdout.write(made.content.decode("utf-8"))
        else:
            sys.stdout.buffer.write(made.content)
            sys.stdout.flush()

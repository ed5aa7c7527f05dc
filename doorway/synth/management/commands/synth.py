"""`doorway synth --participants N --seed S`: a synthetic deployment for benchmarks."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from doorway.synth.run import CHUNK, synthesise


class Command(BaseCommand):
    help = (
        "Create a synthetic deployment: several agencies running Exit Doors Here (and a "
        "youth variant), their staff in teams with caseloads of about 20, and N invented "
        "participants with about 50 contacts each, assessments, plans, drop-ins and "
        "referrals. The same seed (and --today) gives the same data. Runs only with "
        "DOORWAY_DEMO=true (the staff accounts share the demo password), only into a "
        "database without a synthetic deployment, and refuses one holding participants "
        "it did not make unless --force is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--participants", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="The day the deployment is as of (YYYY-MM-DD, not in the future); default: today.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add the synthetic agencies beside participants synthesis did not make.",
        )
        parser.add_argument(
            "--chunk", type=int, default=CHUNK, help="Participants per transaction."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = synthesise(
                options["participants"],
                options["seed"],
                today=options["today"],
                force=options["force"],
                chunk=options["chunk"],
                progress=self.stdout.write if options["verbosity"] > 1 else None,
            )
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from refused
        rows = sum(report.rows.values())
        self.stdout.write(
            _(
                "%(participants)d participants, %(staff)d staff accounts, %(rows)d rows in "
                "%(seconds).1f s (seed %(seed)d, as of %(today)s)."
            )
            % {
                "participants": report.participants,
                "staff": report.staff,
                "rows": rows,
                "seconds": report.total_seconds,
                "seed": report.seed,
                "today": report.today.isoformat(),
            }
        )
        for stage, seconds in report.seconds.items():
            self.stdout.write(f"  {stage:<20}{seconds:8.1f} s")
        for table, count in sorted(report.rows.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {table:<20}{count:>10}")
        self.stdout.write(
            _(
                "Staff sign in with the demo password. Usernames: edh1-cm0001 (case manager), "
                "edh1-peer001 (peer mentor), edh1-manager (program manager), agency1-evaluator, "
                "agency1-admin; edh2-..., edy2-... (youth program) for the other programs."
            )
        )

"""How long a 10,000-row participant import takes, dry run and real import.

    .venv/bin/python bench/import_participants.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/doorway \
        .venv/bin/python bench/import_participants.py

Builds a scratch database (an in-memory SQLite one, or a throw-away `test_…` database
beside the one DATABASE_URL names), a small agency with one program and one case
manager, and a CSV of 10,000 invented women; then times the dry run and the real import
through the same code the pages use (`doorway.exchange.imports.engine`), and prints
the figures. Nothing here asserts a time: it only measures.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
from pathlib import Path

ROWS = int(os.environ.get("ROWS", "10000"))

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doorway.settings_test")


def build_file(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "External id",
            "Preferred name",
            "Legal name",
            "Date of birth",
            "Program cycle",
            "Referred by",
            "Referral date",
            "Case manager",
        ]
    )
    for n in range(rows):
        writer.writerow(
            [
                f"B-{n:05d}",
                f"Name{n}",
                f"Name{n} Bench{n % 997}",
                f"{1960 + n % 40}-0{1 + n % 9}-1{n % 10}",
                "Cycle 1",
                "outreach",
                "2025-01-31",
                "bench_cm",
            ]
        )
    return out.getvalue().encode()


class Clock:
    """Wall time and this process's CPU time since the last lap (the CPU time tells
    what the import costs when the machine is shared)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        lap = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return lap


def main() -> None:
    import logging

    import django
    from django.conf import settings

    # As in production: the tasks the import's commit enqueues (due-date refreshes) are
    # queued in the database for the worker, not run inside the import.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    django.setup()
    logging.disable(logging.INFO)
    from django.db import connection

    from doorway.exchange.imports import engine
    from doorway.people.models import Participant
    from doorway.people.roles import Role
    from doorway.testing.factories import (
        AgencyFactory,
        CycleFactory,
        ProgramFactory,
        UserFactory,
    )

    vendor = connection.vendor
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        agency = AgencyFactory(name="Bench House", slug="bench-house")
        program = ProgramFactory(agency=agency, name="Bench Program", slug="bench")
        CycleFactory(program=program, name="Cycle 1")
        user = UserFactory(
            username="bench_cm", role=Role.CASE_MANAGER, agency=agency, programs=[program]
        )
        data = build_file(ROWS)
        print(f"{ROWS} rows, {len(data) / 1024:.0f} KiB CSV, on {vendor} ({name})")

        clock = Clock()
        job = engine.start(user=user, kind="participants", data=data, filename="bench.csv")
        read = clock.lap()
        engine.check(job)
        checked = clock.lap()
        assert not job.problem_list(), job.problem_list()[:5]

        job = engine.start(user=user, kind="participants", data=data, filename="bench.csv")
        clock.lap()
        engine.run(job)
        imported = clock.lap()
        assert job.status == "done", job.problem_list()[:5]
        assert Participant.objects.count() == ROWS

        job = engine.start(user=user, kind="participants", data=data, filename="bench.csv")
        clock.lap()
        engine.run(job)
        again = clock.lap()
        assert job.already_imported == ROWS

        from django_tasks_db.models import DBTaskResult

        print(f"tasks queued for the worker by the import: {DBTaskResult.objects.count()}")
        print("                           wall s   CPU s (this process)")
        print(f"read and keep (encrypted): {read[0]:6.1f}  {read[1]:6.1f}")
        print(f"dry run:                   {checked[0]:6.1f}  {checked[1]:6.1f}")
        print(
            f"import (checks + save):    {imported[0]:6.1f}  {imported[1]:6.1f}"
            f"  ({ROWS / imported[0]:.0f} rows/s wall)"
        )
        print(
            f"same file again:           {again[0]:6.1f}  {again[1]:6.1f}  (all already imported)"
        )
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()

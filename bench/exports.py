"""How long the contacts export takes for a large program, as CSV and as XLSX.

    .venv/bin/python bench/exports.py
    PARTICIPANTS=500 CONTACTS=20 .venv/bin/python bench/exports.py

Builds a scratch database (as bench/import_participants.py does), one program with
PARTICIPANTS women each with CONTACTS contacts, then times what a program manager's
download does (`doorway.exchange.exports.queries.contacts_sheet`, then the file) and counts its
queries. Nothing here asserts a time: it only measures.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

PARTICIPANTS = int(os.environ.get("PARTICIPANTS", "500"))
CONTACTS = int(os.environ.get("CONTACTS", "20"))

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doorway.settings_test")


def main() -> None:
    import datetime
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from doorway.casework.models import Contact
    from doorway.enrolments.models import Enrolment
    from doorway.exchange.exports import queries as exports
    from doorway.exchange.sheets import csv_bytes, xlsx_bytes
    from doorway.people.roles import Role
    from doorway.testing.factories import (
        AgencyFactory,
        CycleFactory,
        EnrolmentFactory,
        ParticipantFactory,
        ProgramFactory,
        UserFactory,
    )

    vendor = connection.vendor
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        agency = AgencyFactory(name="Bench House", slug="bench-house")
        program = ProgramFactory(agency=agency, name="Bench Program", slug="bench")
        cycle = CycleFactory(program=program, name="Cycle 1")
        worker = UserFactory(role=Role.CASE_MANAGER, agency=agency, programs=[program])
        manager = UserFactory(role=Role.PROGRAM_MANAGER, agency=agency, programs=[program])
        today = timezone.localdate()
        areas = list(program.focus_areas.all()[:2])
        for _ in range(PARTICIPANTS):
            person = ParticipantFactory(agency=agency, registered_by=worker)
            enrolment = EnrolmentFactory(participant=person, cycle=cycle, case_manager=worker)
            made = Contact.objects.bulk_create(
                Contact(
                    enrolment=enrolment,
                    happened_on=today - datetime.timedelta(days=n),
                    duration_minutes=30,
                    kind="counselling",
                    note="A bench note",
                    recorded_by=worker,
                )
                for n in range(CONTACTS)
            )
            for contact in made:
                contact.focus_areas.set(areas)
        rows = PARTICIPANTS * CONTACTS
        print(f"{PARTICIPANTS} women x {CONTACTS} contacts = {rows} rows, on {vendor}")

        wall, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            sheet = exports.contacts_sheet(
                manager, Enrolment.objects.visible_to(manager), None, None
            )
        built = (time.perf_counter() - wall, time.process_time() - cpu)
        assert len(sheet.rows) == rows
        wall, cpu = time.perf_counter(), time.process_time()
        as_csv = csv_bytes(sheet.header, sheet.rows)
        csv_time = (time.perf_counter() - wall, time.process_time() - cpu)
        wall, cpu = time.perf_counter(), time.process_time()
        as_xlsx = xlsx_bytes(sheet.header, sheet.rows, title="Contacts")
        xlsx_time = (time.perf_counter() - wall, time.process_time() - cpu)
        print(f"queries to gather the rows: {len(queries)}")
        print("                      wall s   CPU s   size")
        print(f"gather rows:          {built[0]:6.2f}  {built[1]:6.2f}")
        print(
            f"write CSV:            {csv_time[0]:6.2f}  {csv_time[1]:6.2f}  "
            f"{len(as_csv) // 1024} KiB"
        )
        print(
            f"write XLSX:           {xlsx_time[0]:6.2f}  {xlsx_time[1]:6.2f}  "
            f"{len(as_xlsx) // 1024} KiB"
        )
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()

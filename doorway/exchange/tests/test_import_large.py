"""A 10,000-row participant file imports completely and correctly. (How long it takes
is measured by bench/import_participants.py, never asserted here.)"""

from __future__ import annotations

import pytest
from django.test import override_settings

from doorway.enrolments.models import Enrolment
from doorway.exchange.models import ExternalId, JobStatus
from doorway.exchange.tests.importing_helpers import (
    PARTICIPANT_HEADER,
    csv_file,
    import_file,
    messages,
)
from doorway.people.models import Participant

pytestmark = pytest.mark.django_db

ROWS = 10_000


# The due-date refreshes its commit enqueues are the caseload's business, tested there:
# here they are queued, not run.
@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})
def test_a_ten_thousand_row_participant_file_imports(world):
    rows = [
        [
            f"L-{n:05d}",
            f"Woman{n}",
            f"Woman{n} Large{n % 101}",
            f"{1960 + n % 40}-0{1 + n % 9}-1{n % 10}",
            "Cycle 1",
            "outreach",
            "2025-01-31",
            "alice" if n % 2 else "amira",
        ]
        for n in range(ROWS)
    ]
    before = Participant.objects.count()
    job = import_file(world.morgan, "participants", csv_file(PARTICIPANT_HEADER, rows))
    assert job.status == JobStatus.DONE, messages(job)[:5]
    assert job.rows_saved == ROWS
    assert job.created == {"participant": ROWS, "enrolment": ROWS}
    assert Participant.objects.count() == before + ROWS
    assert ExternalId.objects.filter(kind="participant").count() == ROWS
    last = Participant.objects.with_name(f"Woman{ROWS - 1} Large{(ROWS - 1) % 101}").get()
    assert str(last.date_of_birth) == "1999-01-19"
    enrolment = Enrolment.objects.get(participant=last)
    assert enrolment.case_manager == world.alice
    assert enrolment.cycle.program == world.program

"""Review: a confirmed import runs later (in the background for a large file) as the
person who uploaded it. If her account is deactivated in between (a worker who left,
a lost laptop), the import must not go on writing records in her name: it ends as not
imported, nothing saved, like any other refused import."""

from __future__ import annotations

import pytest

from doorway.enrolments.models import Enrolment
from doorway.exchange.imports import engine
from doorway.exchange.models import ExternalId, JobStatus
from doorway.exchange.tests.importing_helpers import (
    PARTICIPANT_HEADER,
    csv_file,
    dry_run,
    participant_row,
)
from doorway.people.models import Participant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("who", "manager"), [("alice", "alice"), ("morgan", "amira")])
def test_an_import_of_a_deactivated_account_saves_nothing(world, who, manager):
    importer = world.staff()[who]
    data = csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia", manager=manager)])
    job = dry_run(importer, "participants", data)
    assert job.status == JobStatus.CHECKED
    assert job.problem_list() == []
    before = (Participant.objects.count(), Enrolment.objects.count())
    importer.is_active = False
    importer.save(update_fields=["is_active"])
    job.refresh_from_db()
    done = engine.run(job)
    assert done.status == JobStatus.FAILED, done.problem_list()
    assert (Participant.objects.count(), Enrolment.objects.count()) == before
    assert not ExternalId.objects.exists()
    assert done.rows == ""

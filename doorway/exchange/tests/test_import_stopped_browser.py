"""In the browser: an import whose worker was killed says it stopped and that nothing
was saved, and her Retry imports the file. No CSP violation (the fixture checks)."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import Page, expect

from doorway.conftest import World
from doorway.exchange.imports import engine
from doorway.exchange.imports import tasks as import_tasks
from doorway.exchange.models import ImportJob, JobStatus
from doorway.exchange.tests.importing_helpers import (
    PARTICIPANT_HEADER,
    csv_file,
    participant_row,
)
from doorway.people.models import Participant
from doorway.testing.signin import DEFAULT_PASSWORD, give_totp, sign_in_browser
from doorway.testing.worker import DATABASE_QUEUE, left_by_a_killed_worker

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_case_manager_retries_an_import_whose_worker_was_killed(
    page: Page, live_url: str, world: World
) -> None:
    secret = give_totp(world.alice)
    sign_in_browser(page, live_url, "alice", DEFAULT_PASSWORD, secret)
    job = engine.check(
        engine.start(
            user=world.alice,
            kind="participants",
            data=csv_file(
                PARTICIPANT_HEADER, [participant_row("P1", "Nadia"), participant_row("P2", "Olga")]
            ),
            filename="old.csv",
        )
    )
    # Confirmed, queued, claimed by a worker that was killed (its lease long run out).
    with override_settings(TASKS=DATABASE_QUEUE):
        queued = import_tasks.run_import.enqueue(str(job.pk))
    left_by_a_killed_worker(queued)
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.IMPORTING, task_id=queued.id, saving=True
    )
    assert DBTaskResult.objects.get(pk=queued.id).status == "RUNNING"

    page.goto(f"{live_url}/imports/jobs/{job.pk}/")
    expect(page.locator("#import-stopped")).to_contain_text(
        "The import stopped before it finished; nothing was saved."
    )
    page.get_by_role("button", name="Retry").click()
    expect(page.locator("#import-result")).to_contain_text("2 rows saved")
    assert Participant.objects.with_name("Olga Importedsurname").exists()

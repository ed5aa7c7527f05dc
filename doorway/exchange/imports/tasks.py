"""The background side of imports, run by `doorway db_worker` (the tests' immediate
backend runs them at once). Each takes the job's id only: the rows stay encrypted on
the job, never in the task queue."""

from __future__ import annotations

from django.tasks import task

from doorway.exchange.imports import engine
from doorway.exchange.models import ImportJob


@task()
def check_import(job_id: str) -> str:
    job = ImportJob.objects.select_related("created_by__agency").get(pk=job_id)
    return str(engine.check(job).status)


@task()
def run_import(job_id: str) -> str:
    job = ImportJob.objects.select_related("created_by__agency").get(pk=job_id)
    return str(engine.run(job).status)

"""The import pages: choose what to import, download its template, upload, read the
dry run's problems, confirm, follow the progress, read the result.

Only case managers and program managers import (403 for everyone else, nothing
changed). A job is seen only by the person who uploaded it: anyone else gets 404, as
for a record out of reach. Small files are checked and imported within the request;
larger ones by the background worker, while the job page polls its progress (HTMX).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from doorway.audit.refusal import refuse
from doorway.exchange import sheets
from doorway.exchange.imports import engine, recovery, tasks
from doorway.exchange.imports.forms import UploadForm
from doorway.exchange.imports.reading import Unreadable
from doorway.exchange.models import ImportJob, ImportKind, JobStatus
from doorway.web.http import AuthenticatedHttpRequest

ABOUT = {
    ImportKind.PARTICIPANTS: gettext_lazy("New participants, each with her first enrolment."),
    ImportKind.ENROLMENTS: gettext_lazy("A further enrolment of someone already in Doorway."),
    ImportKind.ANSWERS: gettext_lazy("Answers to an assessment or scale, one answer a row."),
    ImportKind.CONTACTS: gettext_lazy("Contacts with her, with their case notes."),
    ImportKind.ATTENDANCE: gettext_lazy("Who came to which drop-in or group."),
}


def may_import(request: AuthenticatedHttpRequest) -> Any:
    user = request.user
    if not engine.imports_records(user):
        raise PermissionDenied(gettext("Only case managers and program managers import records."))
    return user


def kind_or_404(kind: str) -> str:
    if kind not in ImportKind.values:
        raise Http404(gettext("No such import."))
    return kind


def own_job(request: AuthenticatedHttpRequest, job_id: Any) -> ImportJob:
    """Her own job (its rows left unread): anyone else's answers 404, audited."""
    job = ImportJob.objects.defer("rows").filter(pk=job_id, created_by=request.user).first()
    if job is None:
        refuse(request, object_id=job_id, object_type="exchange.ImportJob")
    return job


@login_required
def import_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = may_import(request)
    jobs = ImportJob.objects.defer("rows", "problems").filter(created_by=user)[:10]
    kinds = [(kind, ABOUT[kind]) for kind in ImportKind]
    return render(request, "exchange/import_home.html", {"kinds": kinds, "jobs": jobs})


def kind_context(request: AuthenticatedHttpRequest, kind: str, form: UploadForm) -> dict[str, Any]:
    importer = engine.importer_for(kind, request.user)
    importer.prepare([])
    return {
        "kind": kind,
        "kind_label": ImportKind(kind).label,
        "about": ABOUT[ImportKind(kind)],
        "columns": importer.columns,
        "example": dict(zip([c.key for c in importer.columns], importer.example(), strict=True)),
        "code_lists": importer.code_lists(),
        "form": form,
        "max_rows": settings.IMPORT_MAX_ROWS,
        "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_kind(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """How to fill the file, its template, and the upload (which starts the dry run)."""
    user = may_import(request)
    kind = kind_or_404(kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = engine.take(user=user, kind=kind, data=upload.read(), filename=upload.name)
        except Unreadable as problem:
            form.add_error("file", str(problem))
        else:
            if not job.upload and job.row_count <= settings.IMPORT_INLINE_ROWS:
                engine.check(job)
            else:
                # Read (a workbook, a large CSV) and checked by the worker, never here.
                recovery.follow(job, tasks.check_import.enqueue(str(job.pk)))
            return redirect("import_job", job_id=job.pk)
    return render(request, "exchange/import_kind.html", kind_context(request, kind, form))


@login_required
def import_template(request: AuthenticatedHttpRequest, kind: str, extension: str) -> HttpResponse:
    may_import(request)
    kind = kind_or_404(kind)
    if extension not in {"csv", "xlsx"}:
        raise Http404(gettext("No such template."))
    importer = engine.importer_for(kind, request.user)
    importer.prepare([])
    header = [c.label for c in importer.columns]
    example = importer.example()
    if extension == "xlsx":
        body = sheets.xlsx_bytes(header, [example], title=ImportKind(kind).label)
        content_type = sheets.XLSX_TYPE
    else:
        body = sheets.csv_bytes(header, [example])
        content_type = sheets.CSV_TYPE
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="doorway-{kind}-template.{extension}"'
    return response


def job_context(job: ImportJob) -> dict[str, Any]:
    problems = job.problem_list()
    stopped = recovery.stopped(job)
    return {
        "job": job,
        "stopped": stopped,
        "saved_anything": stopped and recovery.saved_anything(job),
        "problems": problems,
        "ready": job.status == JobStatus.CHECKED and not problems and job.row_count > 0,
        "to_import": job.row_count - job.already_imported,
        "created": sorted(job.created.items()),
        "form": UploadForm(),
    }


@login_required
def import_job(request: AuthenticatedHttpRequest, job_id: Any) -> HttpResponse:
    may_import(request)
    job = own_job(request, job_id)
    return render(request, "exchange/import_job.html", job_context(job))


@login_required
def import_progress(request: AuthenticatedHttpRequest, job_id: Any) -> HttpResponse:
    """The progress bar, polled while the job runs; once it has ended, the whole page
    is reloaded to show the result."""
    may_import(request)
    job = own_job(request, job_id)
    if not job.is_running or recovery.stopped(job):
        response = HttpResponse()
        response["HX-Refresh"] = "true"
        return response
    return render(request, "exchange/_import_progress.html", {"job": job})


@login_required
@require_POST
def import_confirm(request: AuthenticatedHttpRequest, job_id: Any) -> HttpResponse:
    """The real import of a checked file with no problems."""
    may_import(request)
    job = own_job(request, job_id)
    updated = (
        ImportJob.objects.filter(pk=job.pk, status=JobStatus.CHECKED, problems="")
        .exclude(rows="")
        .update(
            status=JobStatus.IMPORTING,
            rows_checked=0,
            rows_saved=0,
            running_since=timezone.now(),
            task_id=None,
        )
    )
    if not updated:
        # Already started, finished, or not importable: the page says which.
        return redirect("import_job", job_id=job.pk)
    if job.row_count <= settings.IMPORT_INLINE_ROWS:
        engine.run(ImportJob.objects.get(pk=job.pk))
    else:
        recovery.follow(job, tasks.run_import.enqueue(str(job.pk)))
    return redirect("import_job", job_id=job.pk)


@login_required
@require_POST
def import_retry(request: AuthenticatedHttpRequest, job_id: Any) -> HttpResponse:
    """Queue again the check or import that stopped with its worker (audited); a job
    that is not stopped, or whose rows are gone, is left as it is and its page says
    where it stands."""
    user = may_import(request)
    job = own_job(request, job_id)
    recovery.retry(job, by=user)
    return redirect("import_job", job_id=job.pk)

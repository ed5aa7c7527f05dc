"""What imports keep: which rows were already imported, and the import jobs themselves.

`ExternalId` is how an import can run twice without creating anything twice: each row of
an import file carries the agency's own id for it (from their old spreadsheet), and the
record made from that row is remembered under (agency, kind, that id). A second run finds
the id and leaves the row alone ("already imported"). It is a table of its own, not a
field on each record, because the ids belong to the agency's files, not to Doorway's
records: one participant may arrive from two files under two ids, and no app's model
needs to know that imports exist.

`ImportJob` is one upload, from its dry run to its result. The rows of the file are
personal data: they are kept only encrypted, only until the import finishes (or
`IMPORT_KEEP_DAYS` days at most, for an upload nobody confirmed), then emptied.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from doorway.encryption import EncryptedTextField
from doorway.people.models import User
from doorway.programs.models import Agency


class ImportKind(models.TextChoices):
    # A new participant and her first enrolment.
    PARTICIPANTS = "participants", "Participants"
    # A further enrolment of a participant already in Doorway.
    ENROLMENTS = "enrolments", "Enrolments"
    # Answers to an instrument (assessments, the journey scale), one answer a row.
    ANSWERS = "answers", "Instrument answers"
    # Contacts and their case notes.
    CONTACTS = "contacts", "Contacts"
    # Who came to which drop-in or group.
    ATTENDANCE = "attendance", "Attendance"


class ExternalId(models.Model):
    """The agency's own id for a row it imported, and the record the row became."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # What the id names: the record kind, e.g. "participant", "assessment".
    kind = models.CharField(max_length=20)
    external_id = models.CharField(max_length=200)
    object_id = models.UUIDField()
    job = models.ForeignKey(
        "ImportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "external_id"], name="external_id_once_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"


class JobStatus(models.TextChoices):
    # Uploaded; the dry run is reading it.
    CHECKING = "checking", "Checking"
    # The dry run is done: problems to fix, or ready to import.
    CHECKED = "checked", "Checked"
    # The real import is running.
    IMPORTING = "importing", "Importing"
    # Imported: every row saved (or already there).
    DONE = "done", "Imported"
    # The real import found problems and saved nothing.
    FAILED = "failed", "Not imported"


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def stale(self, now: datetime.datetime | None = None) -> ImportJobQuerySet:
        """Jobs whose upload is still kept but older than IMPORT_KEEP_DAYS."""
        now = now or timezone.now()
        cutoff = now - datetime.timedelta(days=settings.IMPORT_KEEP_DAYS)
        return self.filter(created_at__lt=cutoff).exclude(rows="", upload="")

    def forget_stale_uploads(self) -> int:
        """Empty the upload, rows and problems (which name columns and codes) of stale
        jobs."""
        return self.stale().update(upload="", rows="", problems="", status=JobStatus.FAILED)


class ImportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.CHECKING)
    # The file as uploaded (base64), encrypted, until the worker has read it into rows.
    upload = EncryptedTextField(blank=True)
    # Its kind, from its name (".csv", ".xlsx"): the name itself is not kept.
    upload_type = models.CharField(max_length=8, blank=True)
    # The file's rows as parsed (JSON), encrypted; emptied when the import ends.
    rows = EncryptedTextField(blank=True)
    # The problems found (JSON list of {row, column, message}), encrypted.
    problems = EncryptedTextField(blank=True)
    row_count = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    rows_saved = models.PositiveIntegerField(default=0)
    # Rows found already imported by an earlier run (same external id).
    already_imported = models.PositiveIntegerField(default=0)
    # Records created, by kind of record: {"participant": 3, "enrolment": 3}.
    created = models.JSONField(default=dict, blank=True)
    # The worker is on the final, all-or-nothing pass.
    saving = models.BooleanField(default=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The background task now checking or importing it (none: it runs within the request).
    task_id = models.UUIDField(null=True, blank=True)
    # When its current check or import began.
    running_since = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import"

    @property
    def is_running(self) -> bool:
        return self.status in {JobStatus.CHECKING, JobStatus.IMPORTING}

    @property
    def percent(self) -> int:
        if not self.row_count:
            return 0
        done = self.rows_saved if self.status == JobStatus.IMPORTING else self.rows_checked
        return min(100, round(100 * done / self.row_count))

    def problem_list(self) -> list[dict[str, Any]]:
        import json

        return list(json.loads(self.problems)) if self.problems else []

"""An import from start to end: the dry run, then the real, all-or-nothing import.

- `start(...)` reads the upload (hostile until proven otherwise, see `reading`), keeps
  its rows encrypted on an `ImportJob`, and returns the job; nothing else is written.
- `check(job)` is the dry run: every row against the columns, the codes, what the
  importer reaches and the actions' own checks. It writes nothing but the job's
  progress and its list of problems.
- `run(job)` checks again (things may have changed since), then saves every new row
  through the apps' actions inside one transaction: one refused row and nothing at all
  is saved. Rows whose external id was imported before are skipped and counted. One
  audit entry sums the import up; the actions audit each record they write. The
  upload's rows are emptied at the end, whatever the outcome.
"""

from __future__ import annotations

import base64
import datetime
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from doorway.audit.log import chained_at_the_end, record
from doorway.audit.models import Action
from doorway.exchange.imports import cells
from doorway.exchange.imports.base import Importer, Plan, Row
from doorway.exchange.imports.casework import (
    AnswerImporter,
    AttendanceImporter,
    ContactImporter,
)
from doorway.exchange.imports.cells import Problem
from doorway.exchange.imports.people import EnrolmentImporter, ParticipantImporter
from doorway.exchange.imports.reading import (
    FORMULA,
    Cell,
    Sheet,
    Unreadable,
    read_upload,
    screen,
)
from doorway.exchange.models import ExternalId, ImportJob, ImportKind, JobStatus
from doorway.people.capabilities import Action as Can
from doorway.people.capabilities import may
from doorway.people.models import User

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone

logger = logging.getLogger(__name__)

IMPORTERS: dict[str, type[Importer]] = {
    ImportKind.PARTICIPANTS: ParticipantImporter,
    ImportKind.ENROLMENTS: EnrolmentImporter,
    ImportKind.ANSWERS: AnswerImporter,
    ImportKind.CONTACTS: ContactImporter,
    ImportKind.ATTENDANCE: AttendanceImporter,
}
PROGRESS_EVERY = 250
MAX_PROBLEMS = 1000


def imports_records(user: Someone) -> bool:
    """Case managers and program managers import into what they reach; peer mentors,
    evaluators and administrators do not import at all."""
    return isinstance(user, User) and may(user, Can.IMPORT_RECORDS) and bool(user.agency_id)


def importer_for(kind: str, user: User) -> Importer:
    assert user.agency is not None
    return IMPORTERS[kind](user, user.agency)


# --- keeping the rows ------------------------------------------------------------------


def _encode(cell: Cell) -> Any:
    if isinstance(cell, datetime.date):
        return {"d": cell.isoformat()}
    if cell is FORMULA:
        return {"f": 1}
    return cell


def _decode(value: Any) -> Cell:
    if isinstance(value, dict):
        if "d" in value:
            return datetime.date.fromisoformat(value["d"])
        return FORMULA
    cell: Cell = value  # text or None, as _encode kept it
    return cell


def dump_sheet(sheet: Sheet) -> str:
    return json.dumps(
        {
            "header": sheet.header,
            "rows": [[n, [_encode(c) for c in cells_]] for n, cells_ in sheet.rows],
        }
    )


def load_sheet(text: str) -> Sheet:
    data = json.loads(text)
    return Sheet(
        header=data["header"],
        rows=[(n, [_decode(c) for c in values]) for n, values in data["rows"]],
    )


def receive(*, user: User, kind: str, data: bytes, filename: str) -> ImportJob:
    """Keep the upload, encrypted, on a new job, for `read` (in the worker, for all but
    small CSV files: a workbook can take minutes to read). `reading.Unreadable` for what
    can be told without reading its cells (nothing is kept then)."""
    assert user.agency is not None
    screen(data, filename)
    ImportJob.objects.forget_stale_uploads()
    return ImportJob.objects.create(
        agency=user.agency,
        kind=kind,
        created_by=user,
        upload=base64.b64encode(data).decode("ascii"),
        upload_type=PurePath(filename.lower()).suffix[:8],
    )


def read(job: ImportJob) -> None:
    """Read the kept upload into the job's rows, and let the upload go.
    `reading.Unreadable` if it cannot be read (the upload is kept then, for the caller
    to say so and let it go)."""
    data = base64.b64decode(job.upload)
    sheet = read_upload(data, f"upload{job.upload_type}")
    job.rows = dump_sheet(sheet)
    job.row_count = len(sheet.rows)
    job.upload = ""
    job.save(update_fields=["rows", "row_count", "upload"])


def reads_quickly(job: ImportJob) -> bool:
    """A CSV this small is read within the request, so its dry run shows at once."""
    return job.upload_type not in {".xlsx", ".xlsm"} and (
        len(job.upload) * 3 // 4 <= settings.IMPORT_INLINE_BYTES
    )


def take(*, user: User, kind: str, data: bytes, filename: str, at_once: bool = False) -> ImportJob:
    """Receive the upload, and read it now when it `reads_quickly` (or `at_once`); a
    job whose upload is still kept is read by `check`. `reading.Unreadable` if the file
    cannot be imported (nothing is kept then)."""
    job = receive(user=user, kind=kind, data=data, filename=filename)
    if at_once or reads_quickly(job):
        try:
            read(job)
        except Unreadable:
            job.delete()
            raise
    return job


def start(*, user: User, kind: str, data: bytes, filename: str) -> ImportJob:
    """Receive and read at once (the tests, the benchmark)."""
    return take(user=user, kind=kind, data=data, filename=filename, at_once=True)


# --- reading rows against the columns ----------------------------------------------------


def _header_key(text: str) -> str:
    text = text.strip().rstrip("*").strip()
    if text.lower().endswith("(optional)"):
        text = text[: -len("(optional)")]
    return cells.key(text)


def map_columns(importer: Importer, header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    """Which position holds each column. Headers match whatever their case, spacing or
    accents; a missing required column is a problem for the whole file."""
    names: dict[str, str] = {}
    for column in importer.columns:
        for name in (column.label, column.key, *column.aliases):
            names.setdefault(_header_key(name), column.key)
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for index, title in enumerate(header):
        found = names.get(_header_key(title or ""))
        if found is None:
            continue
        if found in positions:
            problems.append(Problem(1, title, gettext("This column appears twice; keep one.")))
            continue
        positions[found] = index
    for column in importer.columns:
        if column.required and column.key not in positions:
            problems.append(
                Problem(
                    1,
                    column.label,
                    gettext("The column '%(column)s' is missing.") % {"column": column.label},
                )
            )
    return positions, problems


def rows_of(sheet: Sheet, positions: dict[str, int]) -> list[Row]:
    return [
        Row(
            number,
            {key: values[i] if i < len(values) else None for key, i in positions.items()},
        )
        for number, values in sheet.rows
    ]


class Outcome:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.plans: list[Plan] = []
        self.already = 0
        self.checked = 0


class Progress:
    """Writes one job's progress where the page polling it can read it: at once outside a
    transaction; inside the import's transaction, through a second connection on
    PostgreSQL (SQLite has one writer, so there the page shows the saving as one step).

    The second connection belongs to this job's run alone (not to the module, where two
    imports in two threads would share it), is opened at its first use and closed by
    `progress_of` when the run ends, however it ends."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.side: Any = None

    def __call__(self, **fields: Any) -> None:
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job.pk).update(**fields)
            return
        if connection.vendor != "postgresql":
            return
        if self.side is None:
            self.side = connections.create_connection(connection.alias)
        sets = ", ".join(f"{name} = %s" for name in fields)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET {sets} WHERE id = %s",  # noqa: S608
                [*fields.values(), self.job.pk],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


@contextmanager
def progress_of(job: ImportJob) -> Iterator[Progress]:
    progress = Progress(job)
    try:
        yield progress
    finally:
        progress.close()


def examine(
    job: ImportJob, importer: Importer, on_progress: Callable[[int], None] | None = None
) -> Outcome:
    """Every row checked; the plans for the rows to save."""
    outcome = Outcome()
    sheet = load_sheet(job.rows)
    positions, problems = map_columns(importer, sheet.header)
    outcome.problems.extend(problems)
    if problems:
        return outcome
    rows = rows_of(sheet, positions)
    if not rows:
        outcome.problems.append(Problem(0, "", gettext("The file has no rows below the header.")))
        return outcome
    done = set(
        ExternalId.objects.filter(agency=job.agency, kind=importer.record_kind).values_list(
            "external_id", flat=True
        )
    )
    groups: dict[str, list[Row]] = {}
    for row in rows:
        try:
            external = cells.text(row["external_id"])
        except cells.CellProblem as problem:
            importer.problem(row, "external_id", str(problem))
            continue
        if not external:
            importer.problem(
                row,
                "external_id",
                gettext("%(column)s is missing.") % {"column": importer.label("external_id")},
            )
            continue
        if len(external) > 200:
            importer.problem(row, "external_id", gettext("Keep the id under 200 characters."))
            continue
        if external in groups and not importer.grouped:
            importer.problem(
                row,
                "external_id",
                gettext("The id '%(id)s' is also on row %(row)s: each row needs its own.")
                % {"id": external[:40], "row": groups[external][0].number},
            )
            continue
        groups.setdefault(external, []).append(row)
    # Loaded once for the rows still to import (a second run checks next to nothing).
    importer.prepare(
        [row for external, group in groups.items() if external not in done for row in group]
    )
    checked = 0
    for external, group in groups.items():
        checked += len(group)
        if external in done:
            outcome.already += len(group)
        else:
            plan = Plan(external_id=external, rows=group)
            if importer.check(plan):
                outcome.plans.append(plan)
        if (
            on_progress is not None
            and checked // PROGRESS_EVERY != (checked - len(group)) // PROGRESS_EVERY
        ):
            on_progress(checked)
        if len(importer.problems) > MAX_PROBLEMS:
            break
    importer.finish_check()
    outcome.checked = checked
    outcome.problems.extend(importer.problems)
    return outcome


def _problems_json(problems: list[Problem]) -> str:
    ordered = sorted(problems)[:MAX_PROBLEMS]
    return json.dumps([p.as_dict() for p in ordered])


def _guarded(work: Callable[[ImportJob], ImportJob]) -> Callable[[ImportJob], ImportJob]:
    """An unexpected error must not leave the job "running" for ever, nor its upload
    kept: the job ends as not imported (nothing was saved: the import is one
    transaction) and the log names the error's type only (its text may hold a value)."""

    def guarded(job: ImportJob) -> ImportJob:
        try:
            return work(job)
        except Exception as error:
            logger.error("Import %s stopped: %s", job.pk, type(error).__name__)
            problem = Problem(
                0,
                "",
                gettext("Something went wrong on our side and nothing was saved. Try again later."),
            )
            ImportJob.objects.filter(pk=job.pk).update(
                status=JobStatus.FAILED,
                problems=_problems_json([problem]),
                rows="",
                saving=False,
                finished_at=timezone.now(),
            )
            job.refresh_from_db()
            return job

    guarded.__doc__ = work.__doc__
    return guarded


NO_LONGER_ALLOWED = gettext_lazy(
    "The account that uploaded this file may no longer import records, so nothing was saved."
)


def _still_allowed(job: ImportJob) -> bool:
    """The uploader may still import (her account may have been deactivated, or her role
    changed, since she uploaded or confirmed); if not, the job ends with nothing saved."""
    if imports_records(job.created_by):
        return True
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED,
        problems=_problems_json([Problem(0, "", str(NO_LONGER_ALLOWED))]),
        rows="",
        saving=False,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return False


@_guarded
def check(job: ImportJob) -> ImportJob:
    """The dry run: the upload read if it has not been yet, problems listed, nothing
    saved."""
    if not _still_allowed(job):
        return job
    if job.upload:
        try:
            read(job)
        except Unreadable as problem:
            ImportJob.objects.filter(pk=job.pk).update(
                status=JobStatus.CHECKED,
                problems=_problems_json([Problem(0, "", str(problem))]),
                upload="",
                finished_at=timezone.now(),
            )
            job.refresh_from_db()
            return job
    importer = importer_for(job.kind, job.created_by)
    with progress_of(job) as progress:
        outcome = examine(job, importer, lambda n: progress(rows_checked=n))
    job.status = JobStatus.CHECKED
    job.rows_checked = job.row_count
    job.already_imported = outcome.already
    job.problems = _problems_json(outcome.problems) if outcome.problems else ""
    if outcome.problems:
        # It cannot be imported as it is: the fixed file comes as a new upload.
        job.rows = ""
        job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "rows_checked",
            "already_imported",
            "problems",
            "rows",
            "finished_at",
        ]
    )
    return job


class Refused(Exception):
    """A row was refused during the real import: roll everything back."""


@_guarded
def run(job: ImportJob) -> ImportJob:
    """The real import: all rows or none."""
    if not _still_allowed(job):
        return job
    importer = importer_for(job.kind, job.created_by)
    with progress_of(job) as progress:
        progress(status=JobStatus.IMPORTING, rows_checked=0, rows_saved=0)
        outcome = examine(job, importer, lambda n: progress(rows_checked=n))
        problems = list(outcome.problems)
        saved = 0
        if not problems:
            progress(rows_checked=job.row_count, saving=True)
            try:
                # The entries are chained at the end: the chain head, which every audited
                # action locks, is not held for the whole import.
                with transaction.atomic(), chained_at_the_end():
                    links = []
                    for plan in outcome.plans:
                        try:
                            object_id = importer.save(plan)
                        except (ValidationError, PermissionDenied) as error:
                            importer.refused(plan, error)
                            continue
                        links.append(
                            ExternalId(
                                agency=job.agency,
                                kind=importer.record_kind,
                                external_id=plan.external_id,
                                object_id=object_id,
                                job=job,
                            )
                        )
                        saved += len(plan.rows)
                        if saved // PROGRESS_EVERY != (saved - len(plan.rows)) // PROGRESS_EVERY:
                            progress(rows_saved=saved)
                    if importer.problems:
                        raise Refused
                    ExternalId.objects.bulk_create(links)
                    record(
                        Action.CREATE,
                        actor=job.created_by,
                        subject=job,
                        detail={
                            "import": job.kind,
                            "rows": job.row_count,
                            "imported": saved,
                            "already_imported": outcome.already,
                            "created": dict(importer.created),
                        },
                    )
            except Refused:
                problems = list(importer.problems)
                saved = 0
    job.status = JobStatus.FAILED if problems else JobStatus.DONE
    job.problems = _problems_json(problems) if problems else ""
    job.rows_checked = job.row_count
    job.rows_saved = saved
    job.already_imported = outcome.already
    job.created = dict(importer.created) if not problems else {}
    job.saving = False
    job.finished_at = timezone.now()
    # The upload is personal data: gone once the import has ended, either way.
    job.rows = ""
    job.save(
        update_fields=[
            "status",
            "problems",
            "rows_checked",
            "rows_saved",
            "already_imported",
            "created",
            "saving",
            "finished_at",
            "rows",
        ]
    )
    logger.info("Import %s ended: %s, %d rows saved", job.pk, job.status, saved)
    return job

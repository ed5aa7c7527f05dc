"""Building import files and running imports in tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from doorway.exchange.imports import engine
from doorway.exchange.imports.base import Importer
from doorway.exchange.models import ImportJob
from doorway.people.models import User

PARTICIPANT_HEADER = [
    "External id",
    "Preferred name",
    "Legal name",
    "Date of birth",
    "Program cycle",
    "Referred by",
    "Referral date",
    "Case manager",
]


def csv_file(header: Sequence[str], rows: Sequence[Sequence[Any]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def participant_row(external_id: str, name: str, **kw: str) -> list[str]:
    values = {
        "dob": "1990-05-17",
        "cycle": "Cycle 1",
        "source": "outreach",
        "referred": "2025-01-31",
        "manager": "alice",
    } | kw
    return [
        external_id,
        name,
        f"{name} Importedsurname",
        values["dob"],
        values["cycle"],
        values["source"],
        values["referred"],
        values["manager"],
    ]


def dry_run(user: User, kind: str, data: bytes, filename: str = "file.csv") -> ImportJob:
    job = engine.start(user=user, kind=kind, data=data, filename=filename)
    return engine.check(job)


def import_file(user: User, kind: str, data: bytes, filename: str = "file.csv") -> ImportJob:
    job = engine.start(user=user, kind=kind, data=data, filename=filename)
    return engine.run(job)


def messages(job: ImportJob) -> list[str]:
    return [f"{p['row']}|{p['column']}|{p['message']}" for p in job.problem_list()]


def importer(kind: str, user: User) -> Importer:
    return engine.importer_for(kind, user)

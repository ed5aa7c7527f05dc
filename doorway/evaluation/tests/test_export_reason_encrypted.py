"""Why an evaluator took a research export is free text about a study of these women:
it is kept encrypted, never in plain text in the database (not in the audit log
either), and the reasons of exports taken before are encrypted by the migration."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from doorway.audit.log import record
from doorway.audit.models import Action, AuditEntry
from doorway.evaluation.models import ResearchExportRecord
from doorway.testing.factories import ConsentFactory, EnrolmentFactory, ParticipantFactory
from doorway.testing.signin import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("any_cohort_size")]
REASON = "Secondary analysis for the Rosedale housing study"


def database_holds(text: str) -> list[str]:
    """Tables with a text column holding `text` as it is, read with raw SQL."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            for column in columns:
                quote = connection.ops.quote_name
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} "  # noqa: S608 - test, own names
                    f"WHERE CAST({quote(column)} AS TEXT) LIKE %s",
                    [f"%{text}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column}")
    return found


def test_the_reason_of_an_export_is_nowhere_in_plain_text(client, world) -> None:
    for _ in range(5):
        person = ParticipantFactory(agency=world.agency, registered_by=world.alice)
        ConsentFactory(participant=person, recorded_by=world.alice)
        ConsentFactory(participant=person, kind="evaluation", recorded_by=world.alice)
        EnrolmentFactory(participant=person, cycle=world.rosa_enrolment.cycle)
    signed_in(client, world.eve)
    response = client.post(
        reverse("research_export", args=[world.program.slug]), {"reason": REASON}
    )
    assert response["Content-Type"] == "application/zip"
    assert database_holds(REASON) == []
    assert ResearchExportRecord.objects.get().reason == REASON


def test_the_migration_encrypts_the_reasons_of_past_exports(world) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("doorway.evaluation.migrations.0003_research_export_records")
    record(
        Action.EXPORT,
        actor=world.eve,
        subject=world.program,
        reason=REASON,
        detail={"export": "research", "rows": 7},
    )
    record(Action.EXPORT, actor=world.morgan, subject=world.program, reason="not research")
    migration.keep_past_reasons_encrypted(apps, None)
    (kept,) = ResearchExportRecord.objects.all()
    assert (kept.reason, kept.taken_by, kept.rows) == (REASON, world.eve, 7)
    # Audit reasons are encrypted too (no lookup by their text): found by what it was.
    assert kept.taken_at == AuditEntry.objects.get(detail__export="research").at
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM evaluation_researchexportrecord")
        (stored,) = cursor.fetchone()
    assert REASON not in stored

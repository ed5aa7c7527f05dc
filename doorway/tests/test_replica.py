"""Reports on a replica (doorway/replica.py): with DOORWAY_READ_REPLICA naming the second
alias, the evaluation's pages and API, the funder report, the research export and the
deployment table read there; the write path (a contact, an audit entry, anything inside
a transaction) never does. Without DATABASE_REPLICA_URL there is one database.

In the tests "replica" is a TEST MIRROR of the test database: a second connection to
the same data. These tests commit (transaction=True), so that it sees what they made.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.audit.log import record
from doorway.audit.models import Action, AuditEntry
from doorway.casework.models import Contact, ContactKind
from doorway.conftest import World
from doorway.evaluation import disclosure
from doorway.evaluation.models import ResearchExportRecord
from doorway.evaluation.tests.records import rate, woman
from doorway.instruments.models import Timepoint
from doorway.people.models import Participant
from doorway.replica import replica_reads
from doorway.testing.signin import signed_in

ROOT = Path(__file__).resolve().parents[2]

replica_db = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

WRITES = ("INSERT", "UPDATE", "DELETE")
# Tables a replica never serves: the staff and who may see what, sign-in and the audit log.
PRIMARY_TABLES = ("audit_", "django_session", "usersessions_", "axes_", "people_user")


@pytest.fixture
def on_replica(settings, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.DOORWAY_READ_REPLICA = "replica"
    # Publish cycles of any size: these small worlds hold a handful of women.
    monkeypatch.setattr(disclosure, "MINIMUM_COHORT", 0)


@contextmanager
def counted() -> Iterator[tuple[CaptureQueriesContext, CaptureQueriesContext]]:
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        yield primary, replica


def sql(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries]


def assert_only_reads(replica: CaptureQueriesContext) -> None:
    for statement in sql(replica):
        assert not statement.lstrip().upper().startswith(WRITES), statement
        # Read from (not joined to: a report may name a case manager).
        assert not any(f'FROM "{t}' in statement for t in PRIMARY_TABLES), statement


def women_in_the_research(world: World, n: int = 6) -> None:
    cycle = world.rosa_enrolment.cycle
    for i in range(n):
        enrolment = woman(world, cycle)
        rate(enrolment, {"accommodation": 2 + i % 3}, ago=30, timepoint=Timepoint.INTAKE)


@replica_db
def test_the_evaluation_page_reads_the_replica(client, world: World, on_replica) -> None:
    signed_in(client, world.morgan)
    with counted() as (primary, replica):
        response = client.get(reverse("evaluation_page", args=[world.program.slug]))
    assert response.status_code == 200
    # The report's queries (tens of them) on the replica; the primary keeps her session
    # and who she is.
    assert len(replica) > 10
    assert_only_reads(replica)
    assert any("django_session" in s for s in sql(primary))
    assert any('FROM "people_user"' in s for s in sql(primary))


@replica_db
def test_the_funder_report_and_the_deployment_table_read_the_replica(
    client, world: World, on_replica
) -> None:
    signed_in(client, world.eve)
    for url in (
        reverse("funder_report", args=[world.program.slug]),
        reverse("evaluation_home"),
    ):
        with counted() as (primary, replica):
            response = client.get(url)
        assert response.status_code in (200, 302), url
        assert len(replica) > 0, url
        assert_only_reads(replica)
        assert any("django_session" in s for s in sql(primary)), url


@replica_db
def test_the_evaluation_api_reads_the_replica(world: World, on_replica) -> None:
    api = APIClient()
    api.force_authenticate(world.morgan)
    for url in (
        f"/api/v1/evaluation/{world.program.slug}/outcomes/",
        "/api/v1/evaluation/deployment/",
    ):
        audited = AuditEntry.objects.count()
        with counted() as (primary, replica):
            response = api.get(url)
        assert response.status_code == 200, (url, response.content)
        assert len(replica) > 0, url
        assert_only_reads(replica)
        # Her reading it is audited, on the primary.
        assert AuditEntry.objects.count() == audited + 1
        assert any(s.upper().startswith("INSERT") and "audit_" in s for s in sql(primary))


@replica_db
def test_the_research_export_is_built_on_the_replica_and_kept_on_the_primary(
    client, world: World, on_replica
) -> None:
    women_in_the_research(world)
    signed_in(client, world.eve)
    with counted() as (primary, replica):
        response = client.post(
            reverse("research_export", args=[world.program.slug]),
            {"reason": "Annual outcome analysis for the funder"},
        )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert len(replica) > 0
    assert_only_reads(replica)
    # Its record and audit entry are written, and read back, on the primary only.
    assert ResearchExportRecord.objects.count() == 1
    assert any("evaluation_researchexportrecord" in s for s in sql(primary))


@replica_db
def test_a_contact_recorded_never_touches_the_replica(client, world: World, on_replica) -> None:
    signed_in(client, world.alice)
    with counted() as (primary, replica):
        response = client.post(
            reverse("contact_record", args=[world.rosa_enrolment.pk]),
            {
                "happened_on": timezone.localdate().isoformat(),
                "duration_minutes": "50",
                "kind": ContactKind.ACCOMPANIMENT,
                "note": "Talked through the housing application",
            },
        )
    assert response.status_code == 302
    assert Contact.objects.count() == 1
    assert len(primary) > 0
    assert sql(replica) == []


@replica_db
def test_an_audit_entry_and_a_transaction_read_the_primary_inside_a_report(
    world: World, on_replica
) -> None:
    with replica_reads(), counted() as (primary, replica):
        # Outside a transaction, a report's read goes to the replica...
        assert Participant.objects.filter(pk=world.rosa.pk).exists()
        read_outside = len(replica)
        # ...but an audit entry, and any read inside a transaction, stay on the primary.
        record(Action.VIEW, actor=world.morgan, subject=world.program)
        with transaction.atomic():
            assert Participant.objects.filter(pk=world.tess.pk).exists()
            Participant.objects.filter(pk=world.tess.pk).update(preferred_name="Tessa")
    assert read_outside == 1
    assert len(replica) == 1
    assert any("audit_" in s for s in sql(primary))
    assert sum("people_participant" in s for s in sql(primary)) == 2


@replica_db
def test_with_no_replica_named_everything_reads_the_one_database(client, world: World) -> None:
    signed_in(client, world.morgan)
    with counted() as (primary, replica):
        response = client.get(reverse("evaluation_page", args=[world.program.slug]))
    assert response.status_code == 200
    assert sql(replica) == []
    assert len(primary) > 10


def read_settings(**extra: str) -> subprocess.CompletedProcess[str]:
    """doorway/settings.py read in a fresh process (settings are read once) with this
    environment; it prints DATABASES and DOORWAY_READ_REPLICA."""
    from doorway.settings_test import _TEST_ENV

    environment = {"PATH": os.environ.get("PATH", ""), **_TEST_ENV, **extra}
    program = (
        "import json, doorway.settings as s; "
        "print(json.dumps({'databases': s.DATABASES, 'replica': s.DOORWAY_READ_REPLICA},"
        " default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def settings_databases(**extra: str) -> dict[str, object]:
    done = read_settings(**extra)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_an_unset_replica_url_keeps_one_database() -> None:
    found = settings_databases(DATABASE_URL="postgres://doorway@127.0.0.1:5432/doorway")
    assert list(found["databases"]) == ["default"]  # type: ignore[call-overload]
    assert found["replica"] == ""


def test_a_replica_url_adds_the_replica_with_the_primarys_connection_options() -> None:
    found = settings_databases(
        DATABASE_URL="postgres://doorway@127.0.0.1:5432/doorway",
        DATABASE_REPLICA_URL="postgres://doorway@127.0.0.1:5433/doorway",
    )
    databases: dict[str, dict[str, object]] = found["databases"]  # type: ignore[assignment]
    assert list(databases) == ["default", "replica"]
    assert found["replica"] == "replica"
    replica = databases["replica"]
    assert (replica["HOST"], replica["PORT"], replica["NAME"]) == ("127.0.0.1", 5433, "doorway")
    assert replica["OPTIONS"] == databases["default"]["OPTIONS"]
    assert replica["CONN_MAX_AGE"] == databases["default"]["CONN_MAX_AGE"]
    assert replica["TEST"] == {"MIRROR": "default"}


def test_a_replica_of_a_database_that_is_not_postgresql_is_refused_at_start() -> None:
    done = read_settings(
        DATABASE_URL="sqlite:////tmp/doorway.sqlite3",
        DATABASE_REPLICA_URL="postgres://doorway@127.0.0.1:5433/doorway",
    )
    assert done.returncode != 0
    assert "DATABASE_REPLICA_URL is a PostgreSQL streaming replica" in done.stderr

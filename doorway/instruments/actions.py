"""Writing instruments and administrations. Each function checks, writes and audits in
one transaction; the audit entry names items and fields, never an answer's text."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.enrolments.dates import check_date
from doorway.enrolments.due import refresh_after_commit
from doorway.enrolments.models import Eligibility, Enrolment, JourneyEvent
from doorway.instruments import permissions
from doorway.instruments.definition import (
    build_version,
    check_definition,
    definition_of,
    flat_items,
    load_version,
    shown_codes,
)
from doorway.instruments.models import (
    Administration,
    Answer,
    Instrument,
    InstrumentVersion,
    ItemKind,
    Timepoint,
)
from doorway.instruments.progress import refresh_progress
from doorway.instruments.scoring import Context, compute_scores, evaluate_rule, reasons_text
from doorway.people.models import User
from doorway.programs.models import Program

MAX_TEXT = 10000
ELIGIBILITY_RULE = "eligibility"


def field_name(code: str) -> str:
    """The form field (and error key) of an item."""
    return f"item_{code}"


# --- instruments ----------------------------------------------------------------------


def _check_configurer(program: Program, by: User | None) -> None:
    if by is None:
        return  # a program template installed by the system
    if not permissions.instrument_programs(by).filter(pk=program.pk).exists():
        raise PermissionDenied("You do not configure this program's instruments.")


@transaction.atomic
def create_instrument(
    program: Program,
    *,
    by: User | None,
    slug: str,
    name: str,
    definition: Any,
    description: str = "",
    timepoints: list[str] | None = None,
) -> Instrument:
    _check_configurer(program, by)
    errors: dict[str, Any] = {}
    if Instrument.objects.filter(program=program, slug=slug).exists():
        errors["slug"] = "The program already has an instrument with this short name."
    if not name.strip():
        errors["name"] = "Give the instrument a name."
    bad = [t for t in timepoints or [] if t not in Timepoint.values]
    if bad:
        errors["timepoints"] = f"Unknown timepoints: {', '.join(bad)}."
    try:
        checked = check_definition(definition, program)
    except ValidationError as error:
        errors["definition"] = error.messages
    if errors:
        raise ValidationError(errors)
    instrument = Instrument.objects.create(
        program=program,
        slug=slug,
        name=name.strip(),
        description=description,
        timepoints=list(timepoints or []),
    )
    version = build_version(instrument, checked, by=by, note="First version")
    record(Action.CREATE, actor=by, subject=instrument, detail={"version": version.number})
    return instrument


@transaction.atomic
def new_version(
    instrument: Instrument, *, by: User | None, definition: Any, note: str = ""
) -> InstrumentVersion:
    """Editing an instrument: its definition, changed, becomes its next version. The
    versions before it, answered or not, are left as they are."""
    _check_configurer(instrument.program, by)
    # Two editors at once: the second waits, then numbers after the first.
    Instrument.objects.select_for_update().get(pk=instrument.pk)
    try:
        checked = check_definition(definition, instrument.program)
    except ValidationError as error:
        raise ValidationError({"definition": error.messages}) from error
    version = build_version(instrument, checked, by=by, note=note)
    record(Action.CREATE, actor=by, subject=version, detail={"instrument": str(instrument.pk)})
    return version


# --- administrations ------------------------------------------------------------------


def clean_value(item: Mapping[str, Any], raw: Any) -> Any:
    """The answer in the type the engine reads, or ValueError with a message for her."""
    kind = item["kind"]
    if raw in (None, "", []):
        return None
    if kind == ItemKind.SINGLE_CHOICE:
        if raw not in {c["code"] for c in item["choices"]}:
            raise ValueError("Choose one of the options.")
        return raw
    if kind == ItemKind.MULTIPLE_CHOICE:
        codes = {c["code"] for c in item["choices"]}
        chosen = list(raw) if isinstance(raw, list | tuple) else [raw]
        if not set(chosen) <= codes:
            raise ValueError("Choose among the options.")
        return [c["code"] for c in item["choices"] if c["code"] in chosen]
    if kind == ItemKind.YES_NO:
        if isinstance(raw, bool):
            return raw
        if raw in ("yes", "no"):
            return raw == "yes"
        raise ValueError("Answer yes or no.")
    if kind == ItemKind.SCALE:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValueError("Choose a step from 1 to 10.") from None
        if not 1 <= value <= 10:
            raise ValueError("Choose a step from 1 to 10.")
        return value
    if kind == ItemKind.NUMBER:
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            raise ValueError("Give a number.") from None
        if not number.is_finite():
            raise ValueError("Give a number.")
        low, high = item.get("min"), item.get("max")
        if low is not None and number < Decimal(str(low)):
            raise ValueError(f"Give a number of at least {low:g}.")
        if high is not None and number > Decimal(str(high)):
            raise ValueError(f"Give a number of at most {high:g}.")
        return number
    if kind == ItemKind.DATE:
        if isinstance(raw, datetime.date):
            return raw
        try:
            return datetime.date.fromisoformat(str(raw))
        except ValueError:
            raise ValueError("Give a date.") from None
    text = str(raw).strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"Keep it under {MAX_TEXT} characters.")
    return text or None


def check_answers(
    definition: Mapping[str, Any], raw_answers: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers to the items shown (skipped items dropped, never required), and the
    problems keyed by field name."""
    items = flat_items(definition)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for code, item in items.items():
        try:
            values[code] = clean_value(item, raw_answers.get(code))
        except ValueError as problem:
            errors[field_name(code)] = str(problem)
    shown = shown_codes(definition, values)
    for code in shown:
        if items[code]["required"] and values.get(code) is None and field_name(code) not in errors:
            errors[field_name(code)] = "This question needs an answer."
    answers = {code: values[code] for code in shown if values.get(code) is not None}
    # A problem in a skipped item is no problem: it is not saved.
    errors = {k: v for k, v in errors.items() if k[len("item_") :] in shown}
    return answers, errors


def score(
    definition: Mapping[str, Any],
    answers: Mapping[str, Any],
    enrolment: Enrolment,
    completed_on: datetime.date,
) -> tuple[dict[str, float | None], list[dict[str, Any]]]:
    """The version's scores and rules for these answers. Her age comes from her date of
    birth when it is on record, else from the age item the rule names."""
    ctx = Context(
        items=flat_items(definition),
        answers=answers,
        known_age=enrolment.participant.age_on(completed_on),
        minimum_age=enrolment.cycle.program.minimum_age,
    )
    scores = compute_scores(definition["scores"], ctx)
    results = [evaluate_rule(rule, ctx) for rule in definition["rules"]]
    return scores, results


def _store(item_id: Any, kind: str, value: Any) -> Answer:
    answer = Answer(item_id=item_id)
    if kind in (ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE):
        answer.choices = value if isinstance(value, list) else [value]
    elif kind == ItemKind.YES_NO:
        answer.number = Decimal(1 if value else 0)
    elif kind in (ItemKind.SCALE, ItemKind.NUMBER):
        answer.number = Decimal(value)
    elif kind == ItemKind.DATE:
        answer.date = value
    else:
        answer.text = value
    return answer


@transaction.atomic
def record_administration(
    enrolment: Enrolment,
    version: InstrumentVersion,
    *,
    by: User,
    timepoint: str,
    completed_on: datetime.date | None,
    answers: Mapping[str, Any],
) -> Administration:
    """Record her answers to one version at a timepoint, with the scores and rules as
    computed now. `answers` maps item codes to values (a form's, or plain data)."""
    if not permissions.records_assessments(by):
        raise PermissionDenied("Your role does not record assessments.")
    version = load_version(version.pk)
    if version.instrument.program_id != enrolment.cycle.program_id:
        raise PermissionDenied("This instrument belongs to another program.")
    definition = definition_of(version)
    values, errors = check_answers(definition, answers)
    problems: dict[str, Any] = dict(errors)
    if timepoint not in Timepoint.values:
        problems["timepoint"] = "Choose the timepoint."
    check_date(
        problems, "completed_on", completed_on, enrolment, missing="Give the date it was completed."
    )
    if not values and not problems:
        problems["__all__"] = "Answer at least one question."
    if problems:
        raise ValidationError(problems)
    assert completed_on is not None
    scores, results = score(definition, values, enrolment, completed_on)
    administration = Administration.objects.create(
        enrolment=enrolment,
        version=version,
        timepoint=timepoint,
        completed_on=completed_on,
        recorded_by=by,
        scores=scores,
        rule_results=results,
    )
    refresh_after_commit(enrolment)
    ids = {i.code: (i.pk, i.kind) for s in version.sections.all() for i in s.items.all()}
    rows = []
    for code, value in values.items():
        row = _store(*ids[code], value)
        row.administration = administration
        rows.append(row)
    Answer.objects.bulk_create(rows)
    # Her progress rows follow her ratings in the same transaction. Her enrolment's row
    # is locked first so that two assessments recorded at once refresh them in turn (not
    # FOR UPDATE: each holds a key-share lock on it from her administration's insert).
    her = Enrolment.objects.filter(pk=enrolment.pk)
    her.select_for_update(no_key=True).values_list("pk").get()
    refresh_progress(her)
    record(
        Action.CREATE,
        actor=by,
        participant=enrolment.participant_id,
        subject=administration,
        detail={"items": sorted(values), "timepoint": timepoint},
    )
    return administration


def eligibility_result(administration: Administration) -> dict[str, Any] | None:
    """The computed eligibility when it could be decided (met or not, not unknown)."""
    result = administration.rule(ELIGIBILITY_RULE)
    if result is None or result.get("met") is None:
        return None
    return result


def decide_eligibility_from(administration: Administration, *, by: User) -> JourneyEvent:
    """Record the computed eligibility as the enrolment's decision, its reasons as the
    reason. The phase machine may still refuse (MoveRefused), and then nothing changes."""
    if not permissions.decides_eligibility(by):
        raise PermissionDenied("Your role does not decide eligibility.")
    result = eligibility_result(administration)
    if result is None:
        raise ValidationError("This assessment did not compute an eligibility to record.")
    decision = Eligibility.ELIGIBLE if result["met"] else Eligibility.NOT_ELIGIBLE
    reason = (
        f"From the {administration.version.instrument.name} of "
        f"{administration.completed_on:%Y-%m-%d}:\n{reasons_text(result)}"
    )
    return administration.enrolment.decide_eligibility(decision, by=by, reason=reason)

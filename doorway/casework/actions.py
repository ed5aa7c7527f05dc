"""Recording and editing contacts. Each function checks, writes and audits in one
transaction; the audit entry names the fields, never the note's text."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.casework import permissions
from doorway.casework.models import MAX_MINUTES, Contact, ContactKind, is_late
from doorway.concurrency import lock_if_current, version_of
from doorway.enrolments.dates import CONTACT, check_date
from doorway.enrolments.due import refresh_after_commit
from doorway.enrolments.models import Enrolment
from doorway.people.models import User
from doorway.people.roles import Role
from doorway.plans.models import Goal
from doorway.programs.models import FocusArea, KeyIngredient

FIELDS = (
    "happened_on",
    "duration_minutes",
    "kind",
    "focus_areas",
    "goals",
    "ingredients",
    "note",
)
# Linked to the contact, not versioned with it: the fields compared as sets.
LINKS = ("focus_areas", "goals", "ingredients")


def contact_links(contact: Contact) -> list[str]:
    """What a contact's row does not hold: its focus areas, goals and key ingredients."""
    return [
        ",".join(sorted(str(pk) for pk in getattr(contact, name).values_list("pk", flat=True)))
        for name in LINKS
    ]


def contact_version(contact: Contact) -> str:
    """The version an edit form carries: the row and its links."""
    return version_of(contact, *contact_links(contact))


def check_contact(
    enrolment: Enrolment,
    *,
    by: User,
    happened_on: datetime.date | None,
    duration_minutes: int | None,
    kind: str,
    focus_areas: Iterable[FocusArea],
    note: str,
    goals: Iterable[Goal] = (),
    ingredients: Iterable[KeyIngredient] = (),
) -> None:
    """Raise a ValidationError keyed by field for everything wrong at once."""
    errors: dict[str, str] = {}
    check_date(
        errors,
        "happened_on",
        happened_on,
        enrolment,
        missing=_("Give the date of the contact."),
        cannot=CONTACT,
    )
    if duration_minutes is None or not 1 <= duration_minutes <= MAX_MINUTES:
        errors["duration_minutes"] = _("Give a duration from 1 to %(most)s minutes.") % {
            "most": MAX_MINUTES
        }
    if kind not in ContactKind.values:
        errors["kind"] = _("Choose the kind of contact.")
    elif kind not in permissions.kinds_for(by):
        errors["kind"] = _("A peer mentor records peer contacts only.")
    program_id = enrolment.cycle.program_id
    if any(area.program_id != program_id for area in focus_areas):
        errors["focus_areas"] = _("Choose focus areas of her program only.")
    goal_ids = {goal.pk for goal in goals}
    if goal_ids and not permissions.reads_case_notes(by):
        errors["goals"] = _("A peer mentor does not link goals: her plan is the care team's.")
    elif goal_ids and Goal.objects.filter(
        pk__in=goal_ids, plan__enrolment=enrolment
    ).count() != len(goal_ids):
        errors["goals"] = _("Choose goals of her own plan only.")
    ingredients = list(ingredients)
    if ingredients and not permissions.reads_case_notes(by):
        errors["ingredients"] = _("The care team tags the program's key ingredients.")
    elif any(ingredient.program_id != program_id for ingredient in ingredients):
        errors["ingredients"] = _("Choose key ingredients of her program only.")
    if kind != ContactKind.PEER_CONTACT and not note.strip():
        errors["note"] = _("Write the case note: what happened and what comes next.")
    if errors:
        raise ValidationError(errors)


def _check_writer(enrolment: Enrolment, by: User, *, editing: bool) -> None:
    allowed = permissions.edits_contacts(by) if editing else permissions.records_contacts(by)
    if not allowed:
        raise PermissionDenied("Your role does not record contacts.")
    if by.role == Role.PEER_MENTOR and enrolment.peer_mentor_id != by.pk:
        raise PermissionDenied("She is not assigned to you.")


@transaction.atomic
def record_contact(
    enrolment: Enrolment,
    *,
    by: User,
    happened_on: datetime.date | None,
    duration_minutes: int | None,
    kind: str,
    focus_areas: Iterable[FocusArea] = (),
    note: str = "",
    goals: Iterable[Goal] = (),
    ingredients: Iterable[KeyIngredient] = (),
) -> Contact:
    _check_writer(enrolment, by, editing=False)
    areas = list(focus_areas)
    goals = list(goals)
    ingredients = list(ingredients)
    note = note.strip()
    check_contact(
        enrolment,
        by=by,
        happened_on=happened_on,
        duration_minutes=duration_minutes,
        kind=kind,
        focus_areas=areas,
        note=note,
        goals=goals,
        ingredients=ingredients,
    )
    assert happened_on is not None
    assert duration_minutes is not None
    now = timezone.now()
    contact = Contact(
        enrolment=enrolment,
        happened_on=happened_on,
        duration_minutes=duration_minutes,
        kind=kind,
        note=note,
        recorded_by=by,
        recorded_at=now,
        is_late=is_late(happened_on, now),
    )
    contact.save_version(areas, by=by)
    refresh_after_commit(enrolment)
    # Goals hang on the goal's side of the link, which the contact's history does not
    # follow: setting them writes no second version.
    contact.goals.set(goals)
    # Key ingredients: evidence for the theory of change, outside the note's history.
    contact.ingredients.set(ingredients)
    given = {"note": note, "goals": goals, "ingredients": ingredients}
    record(
        Action.CREATE,
        actor=by,
        participant=enrolment.participant_id,
        subject=contact,
        detail={"fields": [f for f in FIELDS if f not in given or given[f]]},
    )
    return contact


@transaction.atomic
def edit_contact(
    contact: Contact, *, by: User, expected_version: str | None = None, **changes: Any
) -> Contact:
    """Change any of FIELDS; the earlier version stays in the contact's history. A
    change of date re-marks lateness against when it was first recorded. Given
    `expected_version` (`contact_version` as the writer saw it), a change over someone
    else's is refused with StaleVersion."""
    enrolment = contact.enrolment
    _check_writer(enrolment, by, editing=True)
    if expected_version is not None:
        lock_if_current(contact, expected_version, contact_links)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown contact fields: {sorted(unknown)}")
    if "note" in changes:
        changes["note"] = (changes["note"] or "").strip()
    current: dict[str, list[Any]] = {
        "focus_areas": list(contact.focus_areas.all()),
        "goals": list(contact.goals.all()),
        "ingredients": list(contact.ingredients.all()),
    }
    values: dict[str, Any] = {
        "happened_on": contact.happened_on,
        "duration_minutes": contact.duration_minutes,
        "kind": contact.kind,
        "note": contact.note,
        **current,
        **changes,
    }
    for name in LINKS:
        values[name] = list(values[name])
    check_contact(enrolment, by=by, **values)
    changed = [
        name
        for name in FIELDS
        if (
            {a.pk for a in values[name]} != {a.pk for a in current[name]}
            if name in LINKS
            else values[name] != getattr(contact, name)
        )
    ]
    if not changed:
        return contact
    for name in FIELDS:
        if name not in LINKS:
            setattr(contact, name, values[name])
    contact.is_late = is_late(contact.happened_on, contact.recorded_at)
    contact.edited_at = timezone.now()
    contact.save_version(values["focus_areas"] if "focus_areas" in changed else None, by=by)
    refresh_after_commit(contact.enrolment_id)
    if "goals" in changed:
        contact.goals.set(values["goals"])
    if "ingredients" in changed:
        contact.ingredients.set(values["ingredients"])
    record(
        Action.CHANGE,
        actor=by,
        participant=enrolment.participant_id,
        subject=contact,
        detail={"fields": changed},
    )
    return contact

"""Writes to a program's configuration: phases, focus areas, cycles, partner agencies.

Each function checks, writes and audits in one transaction; views call these and never
save configuration models themselves. Nothing here deletes: phases and focus areas are
retired, partner agencies deactivated, and every edit is kept by simple-history, so
what was recorded against them earlier reads as it was written (journey events copy
the phase names they were recorded with).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.programs.models import (
    ContactCadence,
    CostCategory,
    CostLine,
    Cycle,
    FocusArea,
    PartnerAgency,
    Phase,
    Program,
    ServiceKind,
)

if TYPE_CHECKING:
    # Only named in annotations: configuration is below the staff who change it.
    from doorway.people.models import User

PHASE_FIELDS = (
    "name",
    "name_fr",
    "description",
    "expected_days",
    "contact_cadence",
    "requires_service_consent",
    "requires_eligibility",
)
FOCUS_AREA_FIELDS = ("name", "name_fr", "slug", "description")
CYCLE_FIELDS = ("name", "starts_on", "ends_on")
PARTNER_FIELDS = ("name", "services", "contact_name", "phone", "email", "address")
COST_LINE_FIELDS = ("category", "description", "amount")
INFORMATION_FIELDS = ("consent_months", "retention_years", "safe_contact_check_days")
CENT = Decimal("0.01")


def _set(instance: models.Model, allowed: tuple[str, ...], values: dict[str, Any]) -> list[str]:
    """Assign the allowed values that differ; return the names of the fields changed."""
    changed = []
    for name, value in values.items():
        if name not in allowed:
            raise ValueError(f"{name} cannot be set here")
        if isinstance(value, str):
            value = value.strip()
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _save(instance: models.Model, *, by: User, action: Action, fields: list[str]) -> None:
    instance._history_user = by  # type: ignore[attr-defined]  # simple-history reads the change's author from this attribute
    instance.full_clean()
    instance.save()
    # Field names only, never values: the log holds no content.
    record(action, actor=by, subject=instance, detail={"fields": fields})


# --- her information: consent length, retention, safe-contact checks --------------


@transaction.atomic
def update_information_settings(program: Program, *, by: User, **values: Any) -> list[str]:
    """Change how long a consent to share lasts by default (`consent_months`), how long
    her record is kept after her last contact (`retention_years`) and how often her
    safe-contact instructions are confirmed (`safe_contact_check_days`). From now on:
    consents already given keep their end date. Returns the fields changed."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    changed = _set(program, INFORMATION_FIELDS, values)
    if changed:
        _save(program, by=by, action=Action.CHANGE, fields=changed)
    return changed


# --- phases ----------------------------------------------------------------------


def _check_phase(phase: Phase) -> None:
    if not phase.name:
        raise ValidationError({"name": "Give the phase a name."})
    clash = Phase.objects.filter(program=phase.program_id, retired=False, name__iexact=phase.name)
    if clash.exclude(pk=phase.pk).exists():
        raise ValidationError({"name": "Another phase of this program has that name."})
    if phase.contact_cadence not in ContactCadence.values:
        raise ValidationError({"contact_cadence": "Choose how often contact is expected."})


@transaction.atomic
def add_phase(program: Program, *, by: User, **values: Any) -> Phase:
    """A new phase, placed after the last active one."""
    _lock_phases(program)
    last = program.phases.filter(retired=False).aggregate(last=Max("order"))["last"]
    phase = Phase(program=program, order=0 if last is None else last + 1)
    fields = _set(phase, PHASE_FIELDS, values)
    _check_phase(phase)
    _save(phase, by=by, action=Action.CREATE, fields=fields)
    return phase


@transaction.atomic
def update_phase(phase: Phase, *, by: User, **values: Any) -> list[str]:
    """Change what a phase is called and expects. Journey events already recorded keep
    the name they were recorded with."""
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    changed = _set(phase, PHASE_FIELDS, values)
    if changed:
        _check_phase(phase)
        _save(phase, by=by, action=Action.CHANGE, fields=changed)
    return changed


def _lock_phases(program: Program) -> list[Phase]:
    return list(
        Phase.objects.select_for_update().filter(program=program, retired=False).order_by("order")
    )


@transaction.atomic
def move_phase(phase: Phase, direction: Literal["up", "down"], *, by: User) -> bool:
    """Swap a phase with its active neighbour above or below. Returns False when it is
    already first (or last). A temporary position keeps the one-active-phase-per-position
    constraint satisfied at every step."""
    if direction not in {"up", "down"}:
        raise ValueError("direction is up or down")
    phases = _lock_phases(phase.program)
    index = next((i for i, p in enumerate(phases) if p.pk == phase.pk), None)
    if index is None:
        raise ValidationError("A retired phase has no place in the order.")
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(phases):
        return False
    this, other = phases[index], phases[other_index]
    this_order, other_order = this.order, other.order
    spare = max(p.order for p in phases) + 1
    for instance, order in ((this, spare), (other, this_order), (this, other_order)):
        instance.order = order
        instance._history_user = by  # type: ignore[attr-defined]  # simple-history reads the change's author from this attribute
        instance.save(update_fields=["order"])
    record(
        Action.CHANGE,
        actor=by,
        subject=this,
        detail={"fields": ["order"], "moved": direction, "swapped_with": str(other.pk)},
    )
    return True


@transaction.atomic
def retire_phase(phase: Phase, *, by: User, open_enrolments_in: Callable[[Phase], int]) -> None:
    """A retired phase keeps its history and its name on past journeys, but takes no new
    moves. A phase someone is in now cannot be retired: move her first.

    Who is in a phase is known to the enrolments, above configuration, so the caller
    passes how to count them; they are counted here, with the phase locked."""
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    if phase.retired:
        return
    in_it = open_enrolments_in(phase)
    if in_it:
        people = "participant is" if in_it == 1 else "participants are"
        raise ValidationError(
            f"{in_it} {people} in “{phase.name}” now. Move them to another phase "
            "before retiring it."
        )
    if phase.program.phases.filter(retired=False).count() == 1:
        raise ValidationError("A program needs at least one active phase.")
    phase.retired = True
    _save(phase, by=by, action=Action.CHANGE, fields=["retired"])


@transaction.atomic
def restore_phase(phase: Phase, *, by: User) -> None:
    """Bring a retired phase back, placed after the last active one."""
    phases = _lock_phases(phase.program)
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    if not phase.retired:
        return
    phase.retired = False
    phase.order = max((p.order for p in phases), default=-1) + 1
    _check_phase(phase)
    _save(phase, by=by, action=Action.CHANGE, fields=["retired", "order"])


# --- focus areas -----------------------------------------------------------------


def _check_focus_area(area: FocusArea) -> None:
    if not area.name:
        raise ValidationError({"name": "Give the focus area a name."})
    if not area.slug:
        raise ValidationError({"slug": "Give the focus area a short name for reports."})
    same = FocusArea.objects.filter(program=area.program_id).exclude(pk=area.pk)
    if same.filter(slug=area.slug).exists():
        raise ValidationError(
            {"slug": "Another focus area of this program (perhaps a retired one) uses it."}
        )
    if same.filter(retired=False, name__iexact=area.name).exists():
        raise ValidationError({"name": "Another focus area of this program has that name."})


@transaction.atomic
def add_focus_area(program: Program, *, by: User, **values: Any) -> FocusArea:
    last = program.focus_areas.aggregate(last=Max("order"))["last"]
    area = FocusArea(program=program, order=0 if last is None else last + 1)
    fields = _set(area, FOCUS_AREA_FIELDS, values)
    _check_focus_area(area)
    _save(area, by=by, action=Action.CREATE, fields=fields)
    return area


@transaction.atomic
def update_focus_area(area: FocusArea, *, by: User, **values: Any) -> list[str]:
    area = FocusArea.objects.select_for_update().get(pk=area.pk)
    changed = _set(area, FOCUS_AREA_FIELDS, values)
    if changed:
        _check_focus_area(area)
        _save(area, by=by, action=Action.CHANGE, fields=changed)
    return changed


@transaction.atomic
def retire_focus_area(area: FocusArea, *, by: User) -> None:
    """Retired focus areas stay on the ratings already made; new plans cannot pick them."""
    area = FocusArea.objects.select_for_update().get(pk=area.pk)
    if area.retired:
        return
    area.retired = True
    _save(area, by=by, action=Action.CHANGE, fields=["retired"])


@transaction.atomic
def restore_focus_area(area: FocusArea, *, by: User) -> None:
    area = FocusArea.objects.select_for_update().get(pk=area.pk)
    if not area.retired:
        return
    area.retired = False
    _check_focus_area(area)
    _save(area, by=by, action=Action.CHANGE, fields=["retired"])


# --- cycles ----------------------------------------------------------------------


def _check_cycle(cycle: Cycle) -> None:
    if not cycle.name:
        raise ValidationError({"name": "Give the cycle a name."})
    if (
        Cycle.objects.filter(program=cycle.program_id, name__iexact=cycle.name)
        .exclude(pk=cycle.pk)
        .exists()
    ):
        raise ValidationError({"name": "Another cycle of this program has that name."})
    starts, ends = cycle.starts_on, cycle.ends_on
    if isinstance(starts, datetime.date) and isinstance(ends, datetime.date) and ends < starts:
        raise ValidationError({"ends_on": "A cycle cannot end before it starts."})


@transaction.atomic
def add_cycle(program: Program, *, by: User, **values: Any) -> Cycle:
    cycle = Cycle(program=program)
    fields = _set(cycle, CYCLE_FIELDS, values)
    _check_cycle(cycle)
    _save(cycle, by=by, action=Action.CREATE, fields=fields)
    return cycle


@transaction.atomic
def update_cycle(cycle: Cycle, *, by: User, **values: Any) -> list[str]:
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    changed = _set(cycle, CYCLE_FIELDS, values)
    if changed:
        _check_cycle(cycle)
        _save(cycle, by=by, action=Action.CHANGE, fields=changed)
    return changed


# --- partner agencies ------------------------------------------------------------


def _check_partner(partner: PartnerAgency) -> None:
    if not partner.name:
        raise ValidationError({"name": "Give the partner agency's name."})
    unknown = set(partner.services) - set(ServiceKind.values)
    if unknown:
        raise ValidationError({"services": "Choose services from the list."})
    same = PartnerAgency.objects.filter(agency=partner.agency_id, name__iexact=partner.name)
    if same.exclude(pk=partner.pk).exists():
        raise ValidationError({"name": "This agency already has a partner of that name."})


def _services(values: dict[str, Any]) -> dict[str, Any]:
    if "services" in values:
        # Stored in the order of the list, so that an unchanged choice is no change.
        chosen = set(values["services"])
        values = {**values, "services": [k for k in ServiceKind.values if k in chosen]}
        if chosen - set(ServiceKind.values):
            values["services"] += sorted(chosen - set(ServiceKind.values))
    return values


@transaction.atomic
def add_partner(program: Program, *, by: User, **values: Any) -> PartnerAgency:
    """A partner of the program's agency (partners are shared by its programs)."""
    partner = PartnerAgency(agency=program.agency)
    fields = _set(partner, PARTNER_FIELDS, _services(values))
    _check_partner(partner)
    _save(partner, by=by, action=Action.CREATE, fields=fields)
    return partner


@transaction.atomic
def update_partner(partner: PartnerAgency, *, by: User, **values: Any) -> list[str]:
    partner = PartnerAgency.objects.select_for_update().get(pk=partner.pk)
    changed = _set(partner, PARTNER_FIELDS, _services(values))
    if changed:
        _check_partner(partner)
        _save(partner, by=by, action=Action.CHANGE, fields=changed)
    return changed


@transaction.atomic
def set_partner_active(partner: PartnerAgency, active: bool, *, by: User) -> None:
    """Deactivated partners take no new referrals; consents and referrals already made
    to them stay as they were."""
    partner = PartnerAgency.objects.select_for_update().get(pk=partner.pk)
    if partner.active == active:
        return
    partner.active = active
    _save(partner, by=by, action=Action.CHANGE, fields=["active"])


# --- a cycle's cost lines --------------------------------------------------------


def _check_cost_line(line: CostLine) -> None:
    errors: dict[str, str] = {}
    if line.category not in CostCategory.values:
        errors["category"] = "Choose a category from the list."
    amount = line.amount
    if not isinstance(amount, Decimal) or not amount.is_finite():
        errors["amount"] = "Enter the amount in dollars and cents, for example 1250.00."
    elif amount < 0:
        errors["amount"] = "An amount cannot be negative."
    elif amount != amount.quantize(CENT):
        errors["amount"] = "Give the amount to the cent: at most two digits after the point."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_cost_line(cycle: Cycle, *, by: User, **values: Any) -> CostLine:
    """A line of the cycle's costs. Evaluation costs are recorded too, under their own
    category, and kept out of the operating cost."""
    line = CostLine(cycle=cycle, recorded_by=by)
    fields = _set(line, COST_LINE_FIELDS, values)
    _check_cost_line(line)
    _save(line, by=by, action=Action.CREATE, fields=fields)
    return line


@transaction.atomic
def update_cost_line(line: CostLine, *, by: User, **values: Any) -> list[str]:
    line = CostLine.objects.select_for_update().get(pk=line.pk)
    changed = _set(line, COST_LINE_FIELDS, values)
    if changed:
        _check_cost_line(line)
        _save(line, by=by, action=Action.CHANGE, fields=changed)
    return changed


@transaction.atomic
def delete_cost_line(line: CostLine, *, by: User) -> None:
    """Cost lines, unlike phases, can go: a line entered by mistake is not history.
    simple-history keeps the deleted row, and the audit log says who removed it."""
    line = CostLine.objects.select_for_update().get(pk=line.pk)
    line._history_user = by  # type: ignore[attr-defined]  # simple-history reads the change's author from this attribute
    record(Action.CHANGE, actor=by, subject=line, detail={"deleted": True})
    line.delete()


__all__ = [
    "add_cost_line",
    "add_cycle",
    "add_focus_area",
    "add_partner",
    "add_phase",
    "delete_cost_line",
    "move_phase",
    "restore_focus_area",
    "restore_phase",
    "retire_focus_area",
    "retire_phase",
    "set_partner_active",
    "update_cost_line",
    "update_cycle",
    "update_focus_area",
    "update_partner",
    "update_phase",
]

"""Program configuration pages, for the program managers of each program.

Anyone else (another program's manager included) is answered 404, as if the program
did not exist. Views parse and render; the writes are in `doorway.programs.actions`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doorway.audit.refusal import refuse
from doorway.concurrency import StaleVersion, lock_if_current, version_of
from doorway.enrolments.models import Enrolment
from doorway.enrolments.safe_contact import check_days_changed
from doorway.people.capabilities import Action, programs_for
from doorway.people.roles import configures_programs
from doorway.programs import actions
from doorway.programs.forms import (
    CostLineForm,
    CycleForm,
    FocusAreaForm,
    InformationSettingsForm,
    PartnerForm,
    PhaseForm,
    apply_errors,
)
from doorway.programs.models import (
    CostCategory,
    CostLine,
    Cycle,
    FocusArea,
    PartnerAgency,
    Phase,
    Program,
)
from doorway.web.http import AuthenticatedHttpRequest

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone


def programs_configured_by(user: Someone) -> QuerySet[Program]:
    """The programs `user` may configure: her own, if her role configures programs."""
    return programs_for(user, Action.CONFIGURE_PROGRAMS)


def access_program(request: AuthenticatedHttpRequest, program_id: Any) -> Program:
    """The program if the signed-in person configures it; otherwise 404, audited."""
    program = (
        programs_configured_by(request.user).select_related("agency").filter(pk=program_id).first()
    )
    if program is None:
        refuse(request, object_id=program_id, object_type="programs.Program")
    return program


@login_required
def program_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not configures_programs(request.user):
        raise Http404
    programs = programs_configured_by(request.user).select_related("agency")
    if len(programs) == 1:
        return redirect("program_detail", program_id=programs[0].pk)
    return render(request, "programs/program_list.html", {"programs": programs})


def open_enrolments_in(phase: Phase) -> int:
    """How many women are in the phase now; a phase someone is in is not retired."""
    return Enrolment.objects.open().filter(current_phase=phase).count()


def _phase_table(program: Program) -> dict[str, Any]:
    phases = list(program.phases.order_by("retired", "order"))
    in_phase = dict(
        Enrolment.objects.open()
        .filter(cycle__program=program)
        .values_list("current_phase")
        .annotate(n=Count("id"))
    )
    for phase in phases:
        phase.open_enrolments = in_phase.get(phase.pk, 0)  # type: ignore[attr-defined]  # an attribute of ours on the instance, for the template
    active = [p for p in phases if not p.retired]
    return {
        "program": program,
        "phases": active,
        "retired_phases": [p for p in phases if p.retired],
    }


@login_required
def program_detail(request: AuthenticatedHttpRequest, program_id: Any) -> HttpResponse:
    program = access_program(request, program_id)
    context = _phase_table(program)
    context.update(
        focus_areas=program.focus_areas.order_by("retired", "order", "name"),
        cycles=program.cycles.annotate(
            enrolled=Count("enrolments"),
            open=Count("enrolments", filter=Q(enrolments__exit_reason="")),
        ).order_by("starts_on"),
        partners=program.agency.partners.order_by("-active", "name"),
    )
    return render(request, "programs/program_detail.html", context)


def _form_page(
    request: AuthenticatedHttpRequest,
    program: Program,
    *,
    form_class: type[forms.ModelForm[Any]],
    instance: Any = None,
    title: str,
    write: Callable[[dict[str, Any]], Any],
    done: str,
    anchor: str,
    back: str = "",
) -> HttpResponse:
    """Show a form; on a valid post, `write` the cleaned data through an action. An
    action's refusal is shown next to its field, and nothing is saved. `back` is the
    page to return to (the program page at `anchor` unless given). Editing a record,
    the form carries the version it showed, and a save over someone else's change
    is refused with theirs shown."""
    editing = instance is not None and not instance._state.adding
    build: Any = form_class  # every program form is a VersionedForm
    form = build(
        request.POST or None, instance=instance, version=version_of(instance) if editing else None
    )
    back = back or reverse("program_detail", args=[program.pk]) + f"#{anchor}"
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                if editing and form.expected_version is not None:
                    lock_if_current(instance, form.expected_version)
                write(form.cleaned_data)
        except StaleVersion:
            fresh = type(instance)._base_manager.get(pk=instance.pk)
            form.show_theirs(version_of(fresh), model_to_dict(fresh))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(
        request,
        "programs/form.html",
        {"program": program, "form": form, "title": title, "anchor": anchor, "back": back},
        status=400 if form.errors else 200,
    )


def _values(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: data[name] for name in fields if name in data}


# --- her information: consent length, retention, safe-contact checks --------------


@login_required
def information_settings(request: AuthenticatedHttpRequest, program_id: Any) -> HttpResponse:
    program = access_program(request, program_id)

    def write(data: dict[str, Any]) -> None:
        changed = actions.update_information_settings(
            program, by=request.user, **_values(data, actions.INFORMATION_FIELDS)
        )
        if "safe_contact_check_days" in changed:
            check_days_changed(program)

    return _form_page(
        request,
        program,
        form_class=InformationSettingsForm,
        instance=program,
        title=_("Her information: consent, retention and safe contact"),
        write=write,
        done=_("Saved. Consents already given keep the end date they were given with."),
        anchor="information",
    )


# --- phases ----------------------------------------------------------------------


@login_required
def phase_add(request: AuthenticatedHttpRequest, program_id: Any) -> HttpResponse:
    program = access_program(request, program_id)
    return _form_page(
        request,
        program,
        form_class=PhaseForm,
        instance=Phase(program=program),
        title=_("Add a phase"),
        write=lambda data: actions.add_phase(
            program, by=request.user, **_values(data, actions.PHASE_FIELDS)
        ),
        done=_("Phase added at the end."),
        anchor="phases",
    )


@login_required
def phase_edit(request: AuthenticatedHttpRequest, program_id: Any, phase_id: Any) -> HttpResponse:
    program = access_program(request, program_id)
    phase = get_object_or_404(program.phases, pk=phase_id)
    return _form_page(
        request,
        program,
        form_class=PhaseForm,
        instance=phase,
        title=_("Edit phase “%(name)s”") % {"name": phase.name},
        write=lambda data: actions.update_phase(
            phase, by=request.user, **_values(data, actions.PHASE_FIELDS)
        ),
        done=_("Phase saved. Journeys already recorded keep the names they were recorded with."),
        anchor="phases",
    )


def _phases_answer(
    request: AuthenticatedHttpRequest, program: Program, error: str = ""
) -> HttpResponse:
    """HTMX gets the phase table back; a plain form post goes back to the page."""
    if getattr(request, "htmx", False):
        context = _phase_table(program)
        context["phase_error"] = error
        return render(request, "programs/_phases.html", context)
    if error:
        messages.error(request, error)
    return redirect(reverse("program_detail", args=[program.pk]) + "#phases")


@require_POST
@login_required
def phase_move(request: AuthenticatedHttpRequest, program_id: Any, phase_id: Any) -> HttpResponse:
    program = access_program(request, program_id)
    phase = get_object_or_404(program.phases, pk=phase_id)
    direction = request.POST.get("direction")
    if direction not in {"up", "down"}:
        return HttpResponse(_("Say up or down."), status=400)
    try:
        actions.move_phase(phase, "up" if direction == "up" else "down", by=request.user)
    except ValidationError as error:
        return _phases_answer(request, program, " ".join(error.messages))
    return _phases_answer(request, program)


@require_POST
@login_required
def phase_retire(request: AuthenticatedHttpRequest, program_id: Any, phase_id: Any) -> HttpResponse:
    program = access_program(request, program_id)
    phase = get_object_or_404(program.phases, pk=phase_id)
    try:
        actions.retire_phase(phase, by=request.user, open_enrolments_in=open_enrolments_in)
    except ValidationError as error:
        return _phases_answer(request, program, " ".join(error.messages))
    if not getattr(request, "htmx", False):
        messages.success(
            request, _("“%(name)s” retired. Past journeys still show it.") % {"name": phase.name}
        )
    return _phases_answer(request, program)


@require_POST
@login_required
def phase_restore(
    request: AuthenticatedHttpRequest, program_id: Any, phase_id: Any
) -> HttpResponse:
    program = access_program(request, program_id)
    phase = get_object_or_404(program.phases, pk=phase_id)
    try:
        actions.restore_phase(phase, by=request.user)
    except ValidationError as error:
        return _phases_answer(request, program, " ".join(error.messages))
    if not getattr(request, "htmx", False):
        messages.success(
            request, _("“%(name)s” is back, at the end of the phases.") % {"name": phase.name}
        )
    return _phases_answer(request, program)


# --- focus areas -----------------------------------------------------------------


@login_required
def focus_area_add(request: AuthenticatedHttpRequest, program_id: Any) -> HttpResponse:
    program = access_program(request, program_id)
    return _form_page(
        request,
        program,
        form_class=FocusAreaForm,
        instance=FocusArea(program=program),
        title=_("Add a focus area"),
        write=lambda data: actions.add_focus_area(
            program, by=request.user, **_values(data, actions.FOCUS_AREA_FIELDS)
        ),
        done=_("Focus area added."),
        anchor="focus-areas",
    )


@login_required
def focus_area_edit(
    request: AuthenticatedHttpRequest, program_id: Any, area_id: Any
) -> HttpResponse:
    program = access_program(request, program_id)
    area = get_object_or_404(program.focus_areas, pk=area_id)
    return _form_page(
        request,
        program,
        form_class=FocusAreaForm,
        instance=area,
        title=_("Edit focus area “%(name)s”") % {"name": area.name},
        write=lambda data: actions.update_focus_area(
            area, by=request.user, **_values(data, actions.FOCUS_AREA_FIELDS)
        ),
        done=_("Focus area saved."),
        anchor="focus-areas",
    )


@require_POST
@login_required
def focus_area_retire(
    request: AuthenticatedHttpRequest, program_id: Any, area_id: Any
) -> HttpResponse:
    program = access_program(request, program_id)
    area = get_object_or_404(program.focus_areas, pk=area_id)
    if request.POST.get("restore"):
        actions.restore_focus_area(area, by=request.user)
        messages.success(request, _("“%(name)s” is back in use.") % {"name": area.name})
    else:
        actions.retire_focus_area(area, by=request.user)
        messages.success(
            request, _("“%(name)s” retired. Ratings already made keep it.") % {"name": area.name}
        )
    return redirect(reverse("program_detail", args=[program.pk]) + "#focus-areas")


# --- cycles ----------------------------------------------------------------------


@login_required
def cycle_add(request: AuthenticatedHttpRequest, program_id: Any) -> HttpResponse:
    program = access_program(request, program_id)
    return _form_page(
        request,
        program,
        form_class=CycleForm,
        instance=Cycle(program=program),
        title=_("Add a cycle"),
        write=lambda data: actions.add_cycle(
            program, by=request.user, **_values(data, actions.CYCLE_FIELDS)
        ),
        done=_("Cycle added."),
        anchor="cycles",
    )


@login_required
def cycle_edit(request: AuthenticatedHttpRequest, program_id: Any, cycle_id: Any) -> HttpResponse:
    program = access_program(request, program_id)
    cycle = get_object_or_404(program.cycles, pk=cycle_id)
    return _form_page(
        request,
        program,
        form_class=CycleForm,
        instance=cycle,
        title=_("Edit cycle “%(name)s”") % {"name": cycle.name},
        write=lambda data: actions.update_cycle(
            cycle, by=request.user, **_values(data, actions.CYCLE_FIELDS)
        ),
        done=_("Cycle saved."),
        anchor="cycles",
    )


# --- a cycle's cost lines --------------------------------------------------------


def cycle_costs(cycle: Cycle) -> dict[str, Any]:
    """The cycle's cost lines grouped by category, with each category's total and the
    operating total (evaluation excluded) beside the evaluation total. Two queries."""
    lines = list(cycle.cost_lines.select_related("recorded_by").order_by("category", "-amount"))
    groups: list[dict[str, Any]] = []
    for value, label in CostCategory.choices:
        in_category = [line for line in lines if line.category == value]
        if in_category:
            groups.append(
                {
                    "category": value,
                    "label": label,
                    "lines": in_category,
                    "total": sum((line.amount for line in in_category), Decimal("0.00")),
                    "operating": value != CostCategory.EVALUATION,
                }
            )
    operating = sum((g["total"] for g in groups if g["operating"]), Decimal("0.00"))
    evaluation = sum((g["total"] for g in groups if not g["operating"]), Decimal("0.00"))
    return {"groups": groups, "operating_total": operating, "evaluation_total": evaluation}


def _cost_lines_url(program: Program, cycle: Cycle) -> str:
    return reverse("cost_lines", args=[program.pk, cycle.pk])


@login_required
def cost_lines(request: AuthenticatedHttpRequest, program_id: Any, cycle_id: Any) -> HttpResponse:
    program = access_program(request, program_id)
    cycle = get_object_or_404(program.cycles, pk=cycle_id)
    context = {"program": program, "cycle": cycle, **cycle_costs(cycle)}
    return render(request, "programs/cost_lines.html", context)


@login_required
def cost_line_add(
    request: AuthenticatedHttpRequest, program_id: Any, cycle_id: Any
) -> HttpResponse:
    program = access_program(request, program_id)
    cycle = get_object_or_404(program.cycles, pk=cycle_id)
    return _form_page(
        request,
        program,
        form_class=CostLineForm,
        instance=CostLine(cycle=cycle),
        title=_("Add a cost line to “%(name)s”") % {"name": cycle.name},
        write=lambda data: actions.add_cost_line(
            cycle, by=request.user, **_values(data, actions.COST_LINE_FIELDS)
        ),
        done=_("Cost line added."),
        anchor="cycles",
        back=_cost_lines_url(program, cycle),
    )


@login_required
def cost_line_edit(
    request: AuthenticatedHttpRequest, program_id: Any, cycle_id: Any, line_id: Any
) -> HttpResponse:
    program = access_program(request, program_id)
    cycle = get_object_or_404(program.cycles, pk=cycle_id)
    line = get_object_or_404(cycle.cost_lines, pk=line_id)
    return _form_page(
        request,
        program,
        form_class=CostLineForm,
        instance=line,
        title=_("Edit a cost line of “%(name)s”") % {"name": cycle.name},
        write=lambda data: actions.update_cost_line(
            line, by=request.user, **_values(data, actions.COST_LINE_FIELDS)
        ),
        done=_("Cost line saved."),
        anchor="cycles",
        back=_cost_lines_url(program, cycle),
    )


@require_POST
@login_required
def cost_line_delete(
    request: AuthenticatedHttpRequest, program_id: Any, cycle_id: Any, line_id: Any
) -> HttpResponse:
    program = access_program(request, program_id)
    cycle = get_object_or_404(program.cycles, pk=cycle_id)
    line = get_object_or_404(cycle.cost_lines, pk=line_id)
    actions.delete_cost_line(line, by=request.user)
    messages.success(request, _("Cost line removed."))
    return redirect(_cost_lines_url(program, cycle))


# --- partner agencies ------------------------------------------------------------


@login_required
def partner_add(request: AuthenticatedHttpRequest, program_id: Any) -> HttpResponse:
    program = access_program(request, program_id)
    return _form_page(
        request,
        program,
        form_class=PartnerForm,
        instance=PartnerAgency(agency=program.agency),
        title=_("Add a partner agency"),
        write=lambda data: actions.add_partner(
            program, by=request.user, **_values(data, actions.PARTNER_FIELDS)
        ),
        done=_("Partner agency added."),
        anchor="partners",
    )


@login_required
def partner_edit(
    request: AuthenticatedHttpRequest, program_id: Any, partner_id: Any
) -> HttpResponse:
    program = access_program(request, program_id)
    partner = get_object_or_404(program.agency.partners, pk=partner_id)
    return _form_page(
        request,
        program,
        form_class=PartnerForm,
        instance=partner,
        title=_("Edit partner agency “%(name)s”") % {"name": partner.name},
        write=lambda data: actions.update_partner(
            partner, by=request.user, **_values(data, actions.PARTNER_FIELDS)
        ),
        done=_("Partner agency saved."),
        anchor="partners",
    )


@require_POST
@login_required
def partner_active(
    request: AuthenticatedHttpRequest, program_id: Any, partner_id: Any
) -> HttpResponse:
    program = access_program(request, program_id)
    partner = get_object_or_404(program.agency.partners, pk=partner_id)
    active = request.POST.get("active") == "1"
    actions.set_partner_active(partner, active, by=request.user)
    if active:
        messages.success(request, _("%(name)s is active again.") % {"name": partner.name})
    else:
        messages.success(
            request, _("%(name)s deactivated: no new referrals to it.") % {"name": partner.name}
        )
    return redirect(reverse("program_detail", args=[program.pk]) + "#partners")

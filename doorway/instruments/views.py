"""Assessment pages of an enrolment: choose an instrument, fill it in, read one back,
and record the computed eligibility; and the assessments section of the enrolment page.

Every view calls `access_enrolment` first (404 and an audited refusal when out of
reach), then checks the role's capability in `rules` (403). Reading answers is audited.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.audit.refusal import refuse
from doorway.enrolments.access import access_enrolment, access_part
from doorway.enrolments.models import Enrolment, MoveRefused
from doorway.instruments import permissions
from doorway.instruments.actions import (
    decide_eligibility_from,
    eligibility_result,
    record_administration,
)
from doorway.instruments.definition import definition_of, load_version
from doorway.instruments.forms import AdministrationForm
from doorway.instruments.models import Administration, Instrument, ItemKind, Timepoint
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.pages import audit_view, record_page

SECTION_ROWS = 20


def _reader(request: AuthenticatedHttpRequest) -> Any:
    user = request.user
    if not permissions.reads_assessments(user):
        raise PermissionDenied(_("Assessments are read by the care team only."))
    return user


def _writer(request: AuthenticatedHttpRequest) -> Any:
    user = request.user
    if not permissions.records_assessments(user):
        raise PermissionDenied(_("Your role does not record assessments."))
    return user


def assessments_section(
    request: AuthenticatedHttpRequest, enrolment: Enrolment
) -> dict[str, Any] | None:
    """Her administrations, newest first, in a fixed number of queries; none of their
    answers. Hidden from those who never read assessments."""
    user = request.user
    if not permissions.reads_assessments(user):
        return None
    administrations = list(enrolment.administrations.for_list()[: SECTION_ROWS + 1])
    return {
        "template": "instruments/_section.html",
        "instruments_administrations": administrations[:SECTION_ROWS],
        "instruments_more": len(administrations) > SECTION_ROWS,
        "instruments_may_record": permissions.records_assessments(user),
    }


@login_required
@require_GET
def assessment_choose(request: AuthenticatedHttpRequest, enrolment_id: Any) -> HttpResponse:
    enrolment = access_enrolment(request, enrolment_id)
    _writer(request)
    instruments = list(
        Instrument.objects.filter(program=enrolment.cycle.program_id, versions__isnull=False)
        .distinct()
        .order_by("name")
    )
    done = list(enrolment.administrations.for_list()[:SECTION_ROWS])
    # Each instrument opens on the timepoint she is most likely at for it.
    done_timepoints: defaultdict[Any, set[str]] = defaultdict(set)
    for instrument_id, timepoint in enrolment.administrations.values_list(
        "version__instrument", "timepoint"
    ):
        done_timepoints[instrument_id].add(timepoint)
    for instrument in instruments:
        offered = instrument.next_timepoint(done_timepoints[instrument.pk])
        instrument.offered_timepoint = offered  # type: ignore[attr-defined]  # an attribute of ours on the instance, for the template
    audit_view(request, enrolment.participant, subject=enrolment)
    return record_page(
        request,
        enrolment,
        "instruments/choose.html",
        instruments=instruments,
        timepoints=Timepoint.choices,
        administrations=done,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_record(
    request: AuthenticatedHttpRequest, enrolment_id: Any, instrument_id: Any
) -> HttpResponse:
    enrolment = access_enrolment(request, enrolment_id)
    user = _writer(request)
    instrument = Instrument.objects.filter(
        pk=instrument_id, program=enrolment.cycle.program_id
    ).first()
    version = instrument.current_version() if instrument is not None else None
    if instrument is None or version is None:
        refuse(
            request,
            participant_id=enrolment.participant_id,
            object_id=instrument_id,
            object_type="instruments.Instrument",
        )
    assert instrument is not None
    assert version is not None
    version = load_version(version.pk)
    definition = definition_of(version)
    wanted = request.GET.get("timepoint", "")
    timepoint = wanted if wanted in Timepoint.values else next(iter(instrument.timepoints), "")
    form = AdministrationForm(
        request.POST if request.method == "POST" else None,
        definition=definition,
        initial={"timepoint": timepoint},
    )
    if form.is_bound and form.is_valid():
        try:
            administration = record_administration(
                enrolment,
                version,
                by=user,
                timepoint=form.cleaned_data["timepoint"],
                completed_on=form.cleaned_data["completed_on"],
                answers=form.answers,
            )
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(request, _("Recorded: %(name)s.") % {"name": instrument.local_name})
            return redirect(
                "assessment_detail", enrolment_id=enrolment.pk, administration_id=administration.pk
            )
    audit_view(request, enrolment.participant, subject=enrolment)
    return record_page(
        request,
        enrolment,
        "instruments/record.html",
        form=form,
        instrument=instrument,
        version=version,
    )


def access_administration(
    request: AuthenticatedHttpRequest, enrolment_id: Any, administration_id: Any
) -> Administration:
    enrolment = access_enrolment(request, enrolment_id)
    administrations = Administration.objects.select_related(
        "version__instrument", "recorded_by"
    ).filter(enrolment=enrolment)
    administration = access_part(request, enrolment, administrations, administration_id)
    administration.enrolment = enrolment
    return administration


def _display(item: Any, answer: Any) -> str:
    if answer is None:
        return ""
    answer.item = item
    value = answer.value()
    if item.kind in (ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE):
        labels = {c.code: c.local_label for c in item.choices.all()}
        return ", ".join(labels.get(code, code) for code in answer.choices)
    if item.kind == ItemKind.YES_NO:
        return _("Yes") if value else _("No")
    if item.kind == ItemKind.SCALE:
        steps = item.local_step_labels
        words = steps[value - 1] if len(steps) >= value else ""
        if words:
            return _("%(value)s of 10: %(words)s") % {"value": value, "words": words}
        return _("%(value)s of 10") % {"value": value}
    if item.kind == ItemKind.NUMBER:
        return f"{value.normalize():f}"
    if item.kind == ItemKind.DATE:
        return date_format(value)
    return str(value)


@login_required
@require_GET
def assessment_detail(
    request: AuthenticatedHttpRequest, enrolment_id: Any, administration_id: Any
) -> HttpResponse:
    administration = access_administration(request, enrolment_id, administration_id)
    user = _reader(request)
    enrolment = administration.enrolment
    version = load_version(administration.version_id)
    answers = {a.item_id: a for a in administration.answers.all()}
    sections = [
        {
            "title": section.local_title,
            "rows": [
                {
                    "item": item,
                    "answer": _display(item, answers.get(item.pk)),
                    "is_text": item.kind == ItemKind.TEXT,
                }
                for item in section.items.all()
            ],
        }
        for section in version.sections.all()
    ]
    labels = {s["code"]: s.get("label", s["code"]) for s in version.scoring}
    scores = [
        {"code": code, "label": labels.get(code, code), "value": value}
        for code, value in administration.scores.items()
    ]
    eligibility = eligibility_result(administration)
    record(
        Action.VIEW,
        request=request,
        participant=enrolment.participant_id,
        subject=administration,
        detail={"answers": True},
    )
    return record_page(
        request,
        enrolment,
        "instruments/detail.html",
        administration=administration,
        version=version,
        sections=sections,
        scores=scores,
        rule_results=administration.rule_results,
        eligibility=eligibility,
        may_decide=(
            eligibility is not None and enrolment.is_open and permissions.decides_eligibility(user)
        ),
    )


@login_required
@require_POST
def assessment_decide_eligibility(
    request: AuthenticatedHttpRequest, enrolment_id: Any, administration_id: Any
) -> HttpResponse:
    administration = access_administration(request, enrolment_id, administration_id)
    user = request.user
    if not permissions.decides_eligibility(user):
        raise PermissionDenied(_("Your role does not decide eligibility."))
    try:
        decide_eligibility_from(administration, by=user)
    except (MoveRefused, ValidationError) as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect(
            reverse("assessment_detail", args=[enrolment_id, administration.pk]) + "#eligibility"
        )
    messages.success(request, _("Her eligibility decision was recorded from this assessment."))
    return redirect("enrolment_detail", enrolment_id=administration.enrolment.pk)

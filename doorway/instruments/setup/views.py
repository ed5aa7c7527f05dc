"""Instrument setup, under /instruments/: program managers (for their programs) and
administrators list instruments and versions, read a version's items, and save an
edited definition as a new version. Case managers, peer mentors and evaluators are
refused (403); an instrument of a program out of reach answers 404, audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from doorway.audit.refusal import refuse
from doorway.instruments import permissions
from doorway.instruments.actions import new_version
from doorway.instruments.definition import definition_of, load_version
from doorway.instruments.forms import DefinitionForm
from doorway.instruments.models import Instrument, InstrumentVersion
from doorway.instruments.scoring import default_label
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest


def _configurer(request: AuthenticatedHttpRequest) -> Any:
    user = request.user
    if not permissions.configures_instruments(user):
        raise PermissionDenied(_("Instruments are set up by program managers and administrators."))
    return user


def access_instrument(request: AuthenticatedHttpRequest, instrument_id: Any) -> Instrument:
    user = _configurer(request)
    instrument = (
        Instrument.objects.select_related("program")
        .filter(pk=instrument_id, program__in=permissions.instrument_programs(user))
        .first()
    )
    if instrument is None:
        refuse(request, object_id=instrument_id, object_type="instruments.Instrument")
    return instrument


@login_required
@require_GET
def instrument_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _configurer(request)
    instruments = list(
        Instrument.objects.filter(program__in=permissions.instrument_programs(user))
        .select_related("program")
        .prefetch_related("versions")
        .order_by("program__name", "name")
    )
    return render(request, "instruments/setup/list.html", {"instruments": instruments})


@login_required
@require_GET
def instrument_detail(request: AuthenticatedHttpRequest, instrument_id: Any) -> HttpResponse:
    instrument = access_instrument(request, instrument_id)
    versions = list(instrument.versions.select_related("created_by").order_by("-number"))
    answered = set(
        InstrumentVersion.objects.filter(instrument=instrument, administrations__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    for version in versions:
        version.answered = version.pk in answered  # type: ignore[attr-defined]  # an attribute of ours on the instance, for the template
    return render(
        request, "instruments/setup/detail.html", {"instrument": instrument, "versions": versions}
    )


@login_required
@require_GET
def instrument_version(request: AuthenticatedHttpRequest, version_id: Any) -> HttpResponse:
    _configurer(request)
    found = InstrumentVersion.objects.filter(pk=version_id).values_list("instrument_id", flat=True)
    instrument = access_instrument(request, found.first())
    version = load_version(version_id)
    scores = [
        {
            "label": s.get("label", s["code"]),
            "kind": s["kind"],
            "parts": s.get("items") or s.get("scores") or [],
        }
        for s in version.scoring
    ]
    rules_shown = [
        {
            "label": r.get("label", r["code"]),
            "conditions": [c.get("label") or default_label(c) for c in r.get("conditions", [])],
        }
        for r in version.rules
    ]
    return render(
        request,
        "instruments/setup/version.html",
        {
            "instrument": instrument,
            "version": version,
            "answered": version.is_answered(),
            "scores": scores,
            "rules": rules_shown,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def instrument_new_version(request: AuthenticatedHttpRequest, instrument_id: Any) -> HttpResponse:
    instrument = access_instrument(request, instrument_id)
    user = request.user
    current = instrument.current_version()
    initial = DefinitionForm.initial_for(definition_of(load_version(current.pk))) if current else {}
    form = DefinitionForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            version = new_version(
                instrument,
                by=user,
                definition=form.cleaned_data["definition"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(
                request, _("Version %(number)s was saved.") % {"number": version.number}
            )
            return redirect("instrument_version", version_id=version.pk)
    return render(
        request,
        "instruments/setup/edit.html",
        {"instrument": instrument, "current": current, "form": form},
    )

"""The query parameters each evaluation page accepts, declared once beside the view.

A parameter a page does not know (a misspelt `?cylces=`, an invented `?program=`) is
refused with a 400 that names it, before anything is counted or audited, rather than
silently ignored and the figures of another cohort given as if it had been understood.
The cohort pages (evaluation, funder report, export) declare theirs through their
cohort form (`views.cohort_form`); the API refuses the same way with its problem shape
(`api.EvaluationViewSet`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def unknown_parameters(names: Iterable[str], accepted: Iterable[str]) -> dict[str, list[str]]:
    """{parameter: [why]} for each parameter given that this page does not take."""
    unknown = sorted(set(names) - set(accepted))
    return {name: [_("This page does not take this parameter.")] for name in unknown}


def refused(request: HttpRequest, errors: Mapping[str, Sequence[str]]) -> HttpResponse:
    """The plain 400 page naming each refused parameter and why."""
    return render(request, "evaluation/bad_parameters.html", {"errors": errors}, status=400)


def accepts(*accepted: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A page that takes only these query parameters (none if none are named); any other
    is refused with a 400 naming it, and the view is not called."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            unknown = unknown_parameters(request.GET, accepted)
            if unknown:
                return refused(request, unknown)
            return view(request, *args, **kwargs)

        checked.accepted_parameters = frozenset(accepted)  # type: ignore[attr-defined]
        return checked

    return decorate

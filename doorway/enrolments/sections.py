"""Sections that later apps add to the enrolment page (contacts, assessments, plan,
referrals, attendance...), so that this app need not import them.

Each entry is the dotted path of a function `(request, enrolment) -> dict | None`.
The dict is merged into the page's context (so its keys carry the app's name) and
must hold `template`, the section's template; None leaves the section out for this
person. A section works in a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.module_loading import import_string

SECTIONS = [
    "doorway.casework.views.contacts_section",
    "doorway.instruments.views.assessments_section",
    "doorway.dropins.views.attendance_section",
    "doorway.referrals.views.referrals_section",
    "doorway.plans.views.plan_section",
    "doorway.casework.outreach_views.outreach_section",
    "doorway.casework.supervision_views.supervision_section",
    "doorway.casework.transfer_views.transfer_section",
    "doorway.evaluation.views.ratings_section",
]


def enrolment_sections(request: HttpRequest, enrolment: Any) -> dict[str, Any]:
    templates: list[str] = []
    context: dict[str, Any] = {}
    for path in SECTIONS:
        section = import_string(path)(request, enrolment)
        if section is None:
            continue
        templates.append(section.pop("template"))
        context.update(section)
    context["section_templates"] = templates
    return context

"""The disclosure log on her record: the latest rows as a section of her page, and the
whole log, paged, on its own page.

The page calls `access_participant` first (404, audited, when she is out of reach),
then asks whether the role reads the log (403 for a peer mentor). The read is audited
like any read of her record. Each page runs a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from doorway.disclosures import permissions
from doorway.disclosures.models import Disclosure
from doorway.enrolments.access import access_participant
from doorway.people.models import Participant
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.pages import audit_view, record_context

# Rows shown on her page; the rest are on the log's own page.
SECTION_ROWS = 5
PAGE_SIZE = 25


def section_context(participant: Participant) -> dict[str, Any]:
    """Her page's section: the latest rows, and whether there are more. One query."""
    rows = list(Disclosure.objects.about(participant).as_listed()[: SECTION_ROWS + 1])
    return {"disclosures": rows[:SECTION_ROWS], "more_disclosures": len(rows) > SECTION_ROWS}


def access_log(request: AuthenticatedHttpRequest, participant_id: Any) -> Participant:
    participant = access_participant(request, participant_id)
    if not permissions.reads_disclosures(request.user):
        raise PermissionDenied(permissions.REFUSED)
    return participant


@login_required
@require_GET
def disclosure_list(request: AuthenticatedHttpRequest, participant_id: Any) -> HttpResponse:
    participant = access_log(request, participant_id)
    audit_view(request, participant)
    rows = Disclosure.objects.about(participant).as_listed()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = record_context(request, participant)
    context.update({"page": page, "disclosures": page.object_list})
    return render(request, "disclosures/disclosure_list.html", context)

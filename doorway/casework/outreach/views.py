"""Outreach pages: the program's log with the pre-phase summary, recording an outreach
contact (on a phone, in the street), and linking earlier contacts to her record.

The log and the form belong to a program, not to a participant: whoever works in the
program's outreach reaches them, anyone else gets an audited 404. The link page is about
her, so `access_enrolment` comes first there.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Min
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.audit.refusal import refuse
from doorway.casework.models import OutreachContact
from doorway.casework.outreach import actions as outreach
from doorway.casework.outreach.forms import LinkForm, NicknameForm, OutreachForm, PeriodForm
from doorway.enrolments.access import access_enrolment, access_part, participants_visible_to
from doorway.enrolments.models import Enrolment
from doorway.programs.models import Program
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.pages import record_page

PER_PAGE = 50


def access_outreach_program(request: AuthenticatedHttpRequest, program_id: Any) -> Program:
    """A program whose outreach she works in; otherwise 404, audited."""
    program = outreach.outreach_programs(request.user).filter(pk=program_id).first()
    if program is None:
        refuse(request, object_id=program_id, object_type="programs.Program")
    return program


@login_required
@require_GET
def outreach_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    programs = list(outreach.outreach_programs(request.user))
    if not programs:
        refuse(request, object_type="casework.OutreachContact")
    if len(programs) == 1:
        return redirect("outreach_log", programs[0].pk)
    return render(request, "casework/outreach/home.html", {"programs": programs})


@login_required
@require_GET
def outreach_log(request: AuthenticatedHttpRequest, program_id: Any) -> HttpResponse:
    program = access_outreach_program(request, program_id)
    user = request.user
    period = PeriodForm(request.GET if {"start", "end"} & set(request.GET) else None)
    start, end = period.period()
    summary = outreach.summarise(program, start, end)
    contacts = Paginator(
        OutreachContact.objects.filter(program=program).for_page(), PER_PAGE
    ).get_page(request.GET.get("page"))
    # "Linked to a record" only where she reaches that record: for anyone else the log
    # looks the same before and after a link, so it never says that a woman met on
    # outreach (known by a nickname, a place, a date) has since enrolled.
    linked = {c.participant_id for c in contacts if c.participant_id}
    reached = set(
        participants_visible_to(user).filter(pk__in=linked).values_list("pk", flat=True)
        if linked
        else ()
    )
    rows = [(c, outreach.reads_private(user, c), c.participant_id in reached) for c in contacts]
    record(
        Action.LIST,
        request=request,
        detail={
            "object_type": OutreachContact._meta.label,
            "program": str(program.pk),
            "private_read": [str(c.pk) for c, private, _linked in rows if private],
        },
    )
    return render(
        request,
        "casework/outreach/log.html",
        {
            "program": program,
            "page": contacts,
            "rows": rows,
            "summary": summary,
            "period": period,
            "start": start,
            "end": end,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def outreach_record(request: AuthenticatedHttpRequest, program_id: Any) -> HttpResponse:
    program = access_outreach_program(request, program_id)
    user = request.user
    form = OutreachForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            outreach.record_outreach(program, by=user, **form.values())
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            messages.success(request, _("The outreach contact was recorded."))
            return redirect("outreach_log", program.pk)
    return render(request, "casework/outreach/form.html", {"program": program, "form": form})


# --- linking to her record --------------------------------------------------------------


def linked_to(enrolment: Enrolment) -> Any:
    """Outreach of this enrolment's program linked to her. Another program's outreach
    linked to her (she is enrolled there too) is that program's record: not shown,
    counted or unlinked from here."""
    return OutreachContact.objects.filter(
        participant=enrolment.participant_id, program=enrolment.cycle.program_id
    )


def _link_page(
    request: AuthenticatedHttpRequest,
    enrolment: Enrolment,
    nickname: str,
    link_form: LinkForm | None = None,
) -> HttpResponse:
    candidates = list(outreach.linkable_for(enrolment, nickname).for_page()[:100])
    linked = list(linked_to(enrolment).for_page())
    candidate_ids = [c.pk for c in candidates]
    link_form = link_form or LinkForm(
        candidates=OutreachContact.objects.filter(pk__in=candidate_ids)
    )
    record(
        Action.VIEW,
        request=request,
        participant=enrolment.participant_id,
        subject=enrolment,
        detail={
            "object_type": OutreachContact._meta.label,
            "outreach": [str(c.pk) for c in [*linked, *candidates]],
        },
    )
    return record_page(
        request,
        enrolment,
        "casework/outreach/link.html",
        linked=linked,
        candidates=candidates,
        find_form=NicknameForm(initial={"nickname": nickname}),
        link_form=link_form,
        nickname=nickname,
    )


@login_required
@require_http_methods(["GET", "POST"])
def outreach_link(request: AuthenticatedHttpRequest, enrolment_id: Any) -> HttpResponse:
    """Unlinked outreach contacts of her program; a nickname search is posted, so that
    it never travels in a URL."""
    enrolment = access_enrolment(request, enrolment_id)
    user = request.user
    if not outreach.links_outreach(user):
        raise PermissionDenied("Your role does not link outreach contacts.")
    nickname = ""
    if request.method == "POST":
        find = NicknameForm(request.POST)
        nickname = find.cleaned_data["nickname"].strip() if find.is_valid() else ""
        if "link" in request.POST:
            form = LinkForm(request.POST, candidates=outreach.linkable_for(enrolment))
            if form.is_valid():
                try:
                    rows = outreach.link_outreach(enrolment, form.cleaned_data["contacts"], by=user)
                except ValidationError as refusal:
                    apply_errors(form, refusal)
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d outreach contact linked to her record.",
                            "%(count)d outreach contacts linked to her record.",
                            len(rows),
                        )
                        % {"count": len(rows)},
                    )
                    return redirect("outreach_link", enrolment.pk)
            return _link_page(request, enrolment, nickname, form)
    return _link_page(request, enrolment, nickname)


@login_required
@require_POST
def outreach_unlink(
    request: AuthenticatedHttpRequest, enrolment_id: Any, outreach_id: Any
) -> HttpResponse:
    enrolment = access_enrolment(request, enrolment_id)
    user = request.user
    if not outreach.links_outreach(user):
        raise PermissionDenied("Your role does not link outreach contacts.")
    contact = access_part(request, enrolment, linked_to(enrolment), outreach_id)
    outreach.unlink_outreach(enrolment, contact, by=user)
    messages.success(request, _("The outreach contact was unlinked; it is back in the log."))
    return redirect(reverse("outreach_link", args=[enrolment.pk]))


def outreach_section(
    request: AuthenticatedHttpRequest, enrolment: Enrolment
) -> dict[str, Any] | None:
    """On the enrolment page: how many outreach contacts are linked to her, and the way
    to link more. Counts only; the care team links."""
    user = request.user
    if not outreach.links_outreach(user):
        return None
    linked = linked_to(enrolment).aggregate(n=Count("pk"), first=Min("happened_on"))
    return {
        "template": "casework/outreach/_section.html",
        "casework_outreach_count": linked["n"],
        "casework_outreach_first": linked["first"],
    }

"""The drafts' endpoints, called by drafts.js: save, restore, discard, and "stay signed
in". Each answers JSON; a signed-out caller is sent to sign in like any page (the
script reads that as "the session has ended"). No name travels in a URL: the restore
address carries only the signed token of ids."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from doorway.drafts import pending
from doorway.drafts.actions import discard_draft, save_draft
from doorway.drafts.models import MAX_DRAFT_CHARS, Draft
from doorway.drafts.registry import FIELD, DraftOf, check_for, read_token
from doorway.enrolments.models import Enrolment
from doorway.web.http import AuthenticatedHttpRequest
from doorway.web.middleware import keep_alive


def _named(request: AuthenticatedHttpRequest, value: str | None) -> DraftOf:
    of = read_token(value or "")
    if of is None:
        raise Http404
    return of


def _checked(request: AuthenticatedHttpRequest, of: DraftOf) -> Enrolment | None:
    """Her enrolment if the form is about her; refused (404 audited, or 403) unless she
    may write this form about it now."""
    check = check_for(of.form_key)
    if check is None:
        raise Http404
    return check(request, of.about)


def _bad(message: str) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(json.dumps({"error": message}), content_type="application/json")


@login_required
@require_POST
def draft_save(request: AuthenticatedHttpRequest) -> JsonResponse | HttpResponseBadRequest:
    of = _named(request, request.POST.get(FIELD))
    enrolment = _checked(request, of)
    fields = pending.typed_fields(request.POST)
    if len(Draft.dump(fields)) > MAX_DRAFT_CHARS:
        return _bad(_("This draft is too long to keep; send the form to save it."))
    draft = save_draft(request.user, of, fields, enrolment=enrolment)
    pending.forget(request.session, of)
    return JsonResponse({"saved_at": draft.saved_at.isoformat()})


@login_required
@require_GET
def draft_restore(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Her draft of the form, or what she sent of it after her session ended, whichever
    is newer; {} when there is none."""
    of = _named(request, request.GET.get("draft"))
    _checked(request, of)
    draft = Draft.objects.live().of(request.user, of.form_key, of.about, of.object_id).first()
    found = (draft.fields, draft.saved_at) if draft is not None else None
    sent = pending.kept_for(request.session, of, request.user.pk)
    if sent is not None and (found is None or sent[1] >= found[1]):
        found = sent
    if found is None:
        return JsonResponse({})
    fields, saved_at = found
    local = timezone.localtime(saved_at)
    when = time_format(local, "H:i")
    if timezone.localdate(saved_at) != timezone.localdate():
        when = local.strftime("%Y-%m-%d ") + when
    return JsonResponse(
        {
            "fields": fields,
            "saved_at": saved_at.isoformat(),
            "unsaved": sent is not None and found is sent,
            "notice": _("Draft restored from %(time)s.") % {"time": when},
        }
    )


@login_required
@require_POST
def draft_discard(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Her own draft only: nothing of the record is read or written."""
    of = _named(request, request.POST.get(FIELD))
    discard_draft(request.user, of)
    pending.forget(request.session, of)
    return JsonResponse({"discarded": True})


@login_required
@require_POST
def stay_signed_in(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Her click on "Stay signed in": pushes the idle expiry on, whenever it was last
    pushed (other requests do so at most once a minute); does nothing else."""
    keep_alive(request.session)
    return JsonResponse({"idle_seconds": int(settings.SESSION_COOKIE_AGE)})

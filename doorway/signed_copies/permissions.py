"""Who attaches and downloads the signed copy of a consent: whoever may record her
consents (`roles.records_consents`, the rule her page, the enrolment page and the
referral form ask: her case team and her program's managers), on a record she reaches.

Out of reach (another team, another agency, an evaluator, an administrator without a
grant): 404, audited, by the access rule; a consent id that is not one of hers answers
the same. Reaching her without recording consents (a peer mentor, an administrator who
broke the glass): 403."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from doorway.audit.refusal import refuse
from doorway.enrolments.access import access_participant
from doorway.people import roles
from doorway.people.models import Consent

if TYPE_CHECKING:
    from django.http import HttpRequest

    from doorway.people.models import User

REFUSED = _("Her case manager or program manager attaches and opens the signed copy.")


def handles_signed_copies(user: User) -> bool:
    return roles.records_consents(user)


def access_consent(request: HttpRequest, participant_id: Any, consent_id: Any) -> Consent:
    """Her consent, for one who may handle its signed copy; else 404 (audited) or 403."""
    participant = access_participant(request, participant_id)
    if not handles_signed_copies(request.user):  # type: ignore[arg-type]  # signed in: the access rule let her through
        raise PermissionDenied(REFUSED)
    consent = (
        Consent.objects.filter(pk=consent_id, participant=participant)
        .select_related("participant", "partner")
        .first()
    )
    if consent is None:
        refuse(
            request,
            participant_id=participant.pk,
            object_id=consent_id,
            object_type="people.Consent",
        )
    return consent

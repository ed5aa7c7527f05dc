"""Who gives her her own copy: whoever reaches her record (the access rule: 404,
audited, for anyone else) and whose role may (`Action.GIVE_HER_COPY`: her case team
and her program's managers; a peer mentor and an administrator who broke the glass get
403: a copy of everything is more than either may read)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from doorway.enrolments.access import access_participant
from doorway.people.capabilities import Action, may
from doorway.people.models import Participant
from doorway.web.http import AuthenticatedHttpRequest

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone


REFUSED = gettext_lazy("Her case manager or program manager makes her copy.")


def gives_her_copy(user: Someone) -> bool:
    return may(user, Action.GIVE_HER_COPY)


def access_her_copy(request: AuthenticatedHttpRequest, participant_id: object) -> Participant:
    participant = access_participant(request, participant_id)
    if not gives_her_copy(request.user):
        raise PermissionDenied(str(REFUSED))
    return participant

"""A refused read: recorded in the audit log, then answered as 404.

Out-of-reach and non-existent records answer alike, so that nobody can learn that a
record exists by asking for it; the log still shows who asked. Pages, the API, imports
and exports all refuse through `refuse`.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.http import Http404, HttpRequest

from doorway.audit.log import record
from doorway.audit.models import Action


def refuse(
    request: HttpRequest,
    *,
    participant_id: Any = None,
    object_id: Any = None,
    object_type: str = "",
) -> NoReturn:
    """Record the refused attempt, then answer 404."""
    record(
        Action.REFUSED,
        request=request,
        participant=participant_id,
        detail={"object_type": object_type, "object_id": str(object_id or participant_id)},
    )
    raise Http404("No such record.")

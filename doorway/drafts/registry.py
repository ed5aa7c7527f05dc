"""The forms that keep drafts, and the token that names one form's draft in the page.

An app opts a form in twice: it registers the form's key here with the check that says
whether the person may write that form (its access rule: `access_enrolment` and the
role's capability; a refusal raises 404 or 403 as the form's own view would), and its
template puts `{% draft_input "<key>" about object form %}` inside the <form>.

The token is signed, so a page can only name a draft the server described: the form,
what it is about, the object it edits and the person it was shown to. It holds ids,
never a name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core import signing

if TYPE_CHECKING:
    from doorway.enrolments.models import Enrolment
    from doorway.web.http import AuthenticatedHttpRequest

# Given the request and the id of what the form is about: her enrolment when the form is
# about her (None for a team's form), or a refusal (Http404, audited; PermissionDenied).
Check = Callable[["AuthenticatedHttpRequest", str], "Enrolment | None"]

_CHECKS: dict[str, Check] = {}
SALT = "doorway.drafts.form"
FIELD = "_draft"


def register(key: str, check: Check) -> None:
    _CHECKS[key] = check


def check_for(key: str) -> Check | None:
    return _CHECKS.get(key)


@dataclass(frozen=True)
class DraftOf:
    """Which draft: a form, what it is about, the object it edits, who was shown it."""

    form_key: str
    about: str
    object_id: str
    shown_to: str

    def same_form(self, other: DraftOf) -> bool:
        return (self.form_key, self.about, self.object_id) == (
            other.form_key,
            other.about,
            other.object_id,
        )


def token(form_key: str, about: Any, object_id: Any, shown_to: Any) -> str:
    return signing.dumps(
        [form_key, str(about), "" if object_id is None else str(object_id), str(shown_to)],
        salt=SALT,
    )


def read_token(value: str) -> DraftOf | None:
    """The draft a token names, or None if it was not made here."""
    try:
        form_key, about, object_id, shown_to = signing.loads(value, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return DraftOf(str(form_key), str(about), str(object_id), str(shown_to))

"""What happens to a draft when its form is sent.

- Sent after the session ended (the view will send her to sign in): what the form held
  is kept (`pending`), so that it comes back when she returns to the form.
- Sent and accepted (the view redirects, as every form here does after a write): her
  draft of that form is deleted.

After CsrfViewMiddleware and AuthenticationMiddleware: a forged post keeps nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from doorway.drafts import pending
from doorway.drafts.actions import discard_draft

ACCEPTED = {301, 302, 303}


def reads_own_upload(view: Any) -> bool:
    """A view (or API view class) marked `reads_own_upload` sets how its files are read
    (in memory only: doorway/signed_copies/uploads.py) before anything reads its body.
    Reading it here first would parse its files with Django's handlers, which write a
    large one to a temporary file. No such form carries a draft."""
    return bool(
        getattr(view, "reads_own_upload", False)
        or getattr(getattr(view, "cls", None), "reads_own_upload", False)
    )


class DraftMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in ACCEPTED and request.user.is_authenticated:
            of = pending.sent_draft(request)
            if of is not None:
                discard_draft(request.user, of)
                pending.forget(request.session, of)
        return response

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> None:
        if request.user.is_authenticated or reads_own_upload(view):
            return
        of = pending.sent_draft(request)
        if of is not None:
            pending.keep(request, of, pending.typed_fields(request.POST))

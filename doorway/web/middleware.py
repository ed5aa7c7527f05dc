"""No cache keeps what a signed-in person was shown; the quick exit's page leaves the
session alone.

Every answer to a signed-in person (any page once she is in, and every API answer,
whether to a token or a browser session) carries `Cache-Control: no-store`: a page
about a woman left in a shared computer's cache or a proxy outlives the session that
was allowed to read it. Static files (served by WhiteNoise before this runs) and the
pages a stranger sees before signing in stay cacheable.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

API_PREFIX = "/api/"


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.shows_personal_data(request):
            patch_cache_control(response, no_store=True)
        return response

    @staticmethod
    def shows_personal_data(request: HttpRequest) -> bool:
        if request.path_info.startswith(API_PREFIX):
            return True
        # Read after the view: the API's token sign-in sets `request.user` too.
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)


# Set on an answer whose request must neither save the session nor send its cookie.
LEAVES_SESSION_ALONE = "doorway_leaves_session_alone"


def leaves_session_alone(response: HttpResponse) -> HttpResponse:
    setattr(response, LEAVES_SESSION_ALONE, True)
    return response


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except for an answer marked with `leaves_session_alone`.

    Every other answer saves the session (SESSION_SAVE_EVERY_REQUEST). The quick exit asks
    for its neutral page while its sign-out beacon is on the way (web/leave.py): when the
    sign-out deletes the session between the page's request reading it and its answer,
    saving it again fails and Django answers 400 Bad Request instead of the neutral page.
    That page has nothing to keep in a session, and must not keep hers alive either.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(response, LEAVES_SESSION_ALONE, False):
            return response
        return super().process_response(request, response)

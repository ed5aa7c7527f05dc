"""No cache keeps what a signed-in person was shown; the quick exit's page leaves the
session alone.

Every answer to a signed-in person (any page once she is in, and every API answer,
whether to a token or a browser session) carries `Cache-Control: no-store`: a page
about a woman left in a shared computer's cache or a proxy outlives the session that
was allowed to read it. Static files (served by WhiteNoise before this runs) and the
pages a stranger sees before signing in stay cacheable.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from allauth.usersessions.middleware import (
    UserSessionsMiddleware as AllauthUserSessionsMiddleware,
)
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
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


# The idle expiry (SESSION_COOKIE_AGE after the session was last saved) is pushed on at
# most this often: a session written on every request cost each signed-in page a write
# and a WAL flush (issue 18's floor); a minute early is as good as on time for a 30-minute
# idle sign-out.
TOUCH_EVERY_SECONDS = 60
# Where the session keeps when it was last pushed on (seconds since the epoch).
TOUCHED_KEY = "_doorway_touched"


def keep_alive(session: SessionBase) -> None:
    """Push the idle expiry on now, whenever it was last pushed ("Stay signed in")."""
    session[TOUCHED_KEY] = int(time.time())


def idle_seconds_left(session: SessionBase) -> int:
    """How long she may stay idle after the answer being made, as the server counts it."""
    age = int(settings.SESSION_COOKIE_AGE)
    touched = session.get(TOUCHED_KEY)
    if touched is None:
        return age
    elapsed = time.time() - touched
    return age if elapsed >= TOUCH_EVERY_SECONDS else max(0, age - int(elapsed))


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, saving a session only when it changed or when its idle expiry is a
    minute old (`TOUCH_EVERY_SECONDS`); and never for an answer marked with
    `leaves_session_alone`.

    The quick exit asks for its neutral page while its sign-out beacon is on the way
    (web/leave.py): when the sign-out deletes the session between the page's request
    reading it and its answer, saving it again fails and Django answers 400 Bad Request
    instead of the neutral page. That page has nothing to keep in a session, and must not
    keep hers alive either.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(response, LEAVES_SESSION_ALONE, False):
            return response
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            touched = session.get(TOUCHED_KEY)
            if touched is None or time.time() - touched >= TOUCH_EVERY_SECONDS:
                keep_alive(session)
        return super().process_response(request, response)


class UserSessionsMiddleware(AllauthUserSessionsMiddleware):  # type: ignore[misc]  # allauth is untyped
    """allauth's record of her signed-in sessions (where, which browser, last seen),
    written at most once a minute per session instead of on every request."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            seen = session.get(SEEN_KEY)
            now = int(time.time())
            if seen is not None and now - seen < TOUCH_EVERY_SECONDS:
                response: HttpResponse = self.get_response(request)
                return response
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                session[SEEN_KEY] = now
                # The session is written for this anyway: push the idle expiry in the
                # same write, so that the two keep one minute's step and the session is
                # not written again for the expiry a few seconds later.
                keep_alive(session)
        answered: HttpResponse = super().__call__(request)
        return answered


SEEN_KEY = "_doorway_seen"

"""No cache keeps what a signed-in person was shown.

Every answer to a signed-in person (any page once she is in, and every API answer,
whether to a token or a browser session) carries `Cache-Control: no-store`: a page
about a woman left in a shared computer's cache or a proxy outlives the session that
was allowed to read it. Static files (served by WhiteNoise before this runs) and the
pages a stranger sees before signing in stay cacheable.
"""

from __future__ import annotations

from collections.abc import Callable

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

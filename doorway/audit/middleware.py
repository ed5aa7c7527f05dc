from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from doorway.audit.context import current_request


class AuditContextMiddleware:
    """Makes the request (for its address and path) known to `audit.record` in actions
    that are called without it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)

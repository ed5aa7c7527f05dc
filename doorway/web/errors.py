"""What a person or a program is told when a request cannot be answered.

Django's own error views answer in HTML whatever was asked; these answer an API path in
problem+json (RFC 9457), like every other API answer, and tell a client's mistake (a
body too large: 413) and a database that is not answering (503, with Retry-After) apart
from a bug (500). Nothing in an answer comes from the request or the exception's
message, which could hold personal data.
"""

from __future__ import annotations

import json
import logging
import sys
from http import HTTPStatus
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views import defaults

logger = logging.getLogger("doorway.errors")

PROBLEM_TYPE = "application/problem+json"
# Seconds a client should wait before trying again while the database is away.
RETRY_AFTER = 30
TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def database_unavailable(exc: BaseException | None) -> bool:
    """The database could not be reached or dropped the connection: not a bug, and it
    passes; a 503 tells clients and proxies to come back."""
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable_detail() -> str:
    return _("The database is not answering just now. Nothing was changed. Try again in a minute.")


def too_large_detail() -> str:
    return _(
        "What was sent is too large. Nothing was saved. Send less at once, or upload the "
        "file on the imports page."
    )


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


# A problem's title is read by a person (RFC 9457 says it may be in her language); its
# status is what a program reads. Statuses Doorway answers with; others keep their phrase.
TITLES: dict[int, Promise] = {
    400: pgettext_lazy("problem title", "Bad request"),
    401: pgettext_lazy("problem title", "Not signed in"),
    403: pgettext_lazy("problem title", "Not allowed"),
    404: pgettext_lazy("problem title", "Not found"),
    405: pgettext_lazy("problem title", "Method not allowed"),
    406: pgettext_lazy("problem title", "Not acceptable"),
    409: pgettext_lazy("problem title", "Conflict"),
    412: pgettext_lazy("problem title", "Changed since you read it"),
    413: pgettext_lazy("problem title", "Too large"),
    415: pgettext_lazy("problem title", "Unsupported media type"),
    428: pgettext_lazy("problem title", "Version required"),
    429: pgettext_lazy("problem title", "Too many requests"),
    500: pgettext_lazy("problem title", "Server error"),
    503: pgettext_lazy("problem title", "Not available just now"),
}


def problem_title(status: int) -> str:
    title = TITLES.get(status)
    return str(title) if title is not None else HTTPStatus(status).phrase


def problem_body(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    """The RFC 9457 body every API error carries, from the API's handler or from here."""
    return {
        "type": "about:blank",
        "title": problem_title(status),
        "status": status,
        "detail": detail,
        **extra,
    }


def problem_response(status: int, detail: str) -> HttpResponse:
    body = json.dumps(problem_body(status, detail))
    response = HttpResponse(body, status=status, content_type=PROBLEM_TYPE)
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    # No RequestContext: the database may be down, and a context processor may query it.
    html = loader.get_template(template).render({"retry_after": RETRY_AFTER})
    response = HttpResponse(html, status=status)
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, TOO_LARGE):
        if is_api(request):
            return problem_response(413, too_large_detail())
        return _page(request, "413.html", 413)
    if is_api(request):
        return problem_response(400, _("The request could not be understood."))
    return _page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return problem_response(403, _("You do not have permission to do this."))
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return problem_response(404, _("No such record."))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its `except`, so the exception is the current one.
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        logger.warning("Database unavailable: answered 503 (%s)", type(exc).__name__)
        if is_api(request):
            return problem_response(503, unavailable_detail())
        return _page(request, "503.html", 503)
    if is_api(request):
        return problem_response(500, _("Something went wrong on the server. Nothing was changed."))
    return _page(request, "500.html", 500)

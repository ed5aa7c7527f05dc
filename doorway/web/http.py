"""The request a signed-in page receives."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest

from doorway.people.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that `login_required` (or the sign-in middleware) let through: its
    `user` is a member of staff, never the anonymous user. Only for type checking; a
    view receives Django's `HttpRequest` as ever."""

    user: User


def staff_of(request: HttpRequest) -> User:
    """The member of staff behind a request the admin site let through (it admits only
    active staff accounts), for the admin's methods, whose signatures Django fixes as
    taking a plain `HttpRequest`."""
    return cast("User", request.user)

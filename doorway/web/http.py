"""The request a signed-in page receives."""

from __future__ import annotations

from django.http import HttpRequest

from doorway.people.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that `login_required` (or the sign-in middleware) let through: its
    `user` is a member of staff, never the anonymous user. Only for type checking; a
    view receives Django's `HttpRequest` as ever."""

    user: User

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request


class SignedInWithScope(BasePermission):
    """An active staff account, signed in or holding a token; a read-only token reads.
    What she may see is the access rule's business (each resource's `reached`).

    A read that is posted (a search by name, kept out of URLs) is named in the view's
    `posted_reads`, so that a read token may make it."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        token = request.auth
        posted_read = getattr(view, "action", None) in getattr(view, "posted_reads", ())
        writes = request.method not in SAFE_METHODS and not posted_read
        if writes and token is not None and not getattr(token, "may_write", False):
            raise exceptions.PermissionDenied("This token may only read.")
        return True
